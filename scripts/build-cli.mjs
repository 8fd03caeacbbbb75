// Bundles the `keyhold` CLI into dist/cli/keyhold.mjs (ESM, dependencies left to node_modules).
// bin/keyhold.mjs runs it instead of compiling the TypeScript through tsx while it is newer than
// every source file. It sits two directories below the root, as electron/cli/ does, so paths
// taken relative to import.meta.url (the built renderer for `serve --ui`) still hold.
//   node scripts/build-cli.mjs [OUTFILE]
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}electron/cli/main.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: process.argv[2] ?? `${root}dist/cli/keyhold.mjs`,
  logLevel: 'warning',
});
