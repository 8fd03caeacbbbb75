#!/usr/bin/env node
// The `keyhold` command. After `npm run build` (which `npm start` runs) the CLI is also bundled in
// dist/cli/keyhold.mjs, which starts in about a third of the time; it runs only while it is newer
// than every file under electron/ and shared/, so an edited source is never shadowed by a stale
// bundle. Otherwise the TypeScript runs through tsx's loader, so `npm ci` is the only setup.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'cli', 'keyhold.mjs');

function bundleIsFresh() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  for (const dir of ['electron', 'shared']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return false;
    }
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
