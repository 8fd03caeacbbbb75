#!/usr/bin/env node
// The `keyhold` command. `npm ci` (the package's install script) and `npm run build` bundle the
// CLI into dist/cli/keyhold.mjs, which starts several times faster than compiling the TypeScript.
// In a source checkout the bundle runs only while none of the files it was built from
// (dist/cli/keyhold.inputs.json) is newer or gone, so an edited source is never shadowed by a
// stale bundle: then the sources run through tsx's loader. Without sources, the bundle runs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'cli', 'keyhold.mjs');
const sourceCheckout = existsSync(join(root, 'electron', 'cli', 'main.ts'));

function bundleIsFresh() {
  if (!existsSync(bundle)) return false;
  if (!sourceCheckout) return true;
  const built = statSync(bundle).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'keyhold.inputs.json'), 'utf8'));
  } catch {
    return false; // which sources it holds is unknown: trust the sources
  }
  for (const input of inputs) {
    if (input.startsWith('node_modules/')) continue;
    const st = statSync(join(root, input), { throwIfNoEntry: false });
    if (!st || st.mtimeMs > built) return false;
  }
  return true;
}

if (bundleIsFresh()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../electron/cli/main.ts');
}
