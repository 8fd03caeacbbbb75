// Bundles the `keyhold` CLI into dist/cli/keyhold.mjs and its chunks beside it (ESM, dependencies left to node_modules),
// and beside it keyhold.inputs.json: the source files it was built from. bin/keyhold.mjs runs
// the bundle while none of those is newer, so an edited source is never shadowed by a stale
// bundle (a new file matters only once an existing one imports it, which changes that one).
// The bundle sits two directories below the root, as electron/cli/ does, so paths taken
// relative to import.meta.url (package.json, the built renderer for `serve --ui`) still hold.
//   node scripts/build-cli.mjs [OUTFILE] [--optional]
// --optional (the package's install script): a missing esbuild (`npm ci --omit=dev`) or a failed
// build is a warning, not a failed install; the CLI then runs its TypeScript through tsx.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const optional = process.argv.includes('--optional');
const outfile = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(root, 'dist', 'cli', 'keyhold.mjs');

function giveUp(why) {
  if (!optional) throw why;
  process.stderr.write(
    `keyhold: note: the CLI bundle was not built (${why instanceof Error ? why.message.split('\n')[0] : why}); \`keyhold\` runs its TypeScript through tsx instead (slower start). \`npm run build:cli\` builds it.\n`,
  );
  process.exit(0);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (e) {
  giveUp(e);
}
try {
  const result = await esbuild.build({
    entryPoints: [join(root, 'electron', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // The full CLI (electron/cli/full.ts, imported dynamically) goes to its own chunk beside the
    // entry, so a call the fast path answers through the agent never loads the core.
    splitting: true,
    outdir: dirname(outfile),
    entryNames: basename(outfile, '.mjs'),
    chunkNames: `${basename(outfile, '.mjs')}-[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: optional ? 'silent' : 'warning',
  });
  // Chunks of earlier builds (their names carry a content hash) are no longer referenced.
  const outputs = new Set(Object.keys(result.metafile.outputs).map((p) => join(process.cwd(), p)));
  const base = basename(outfile, '.mjs');
  for (const f of readdirSync(dirname(outfile))) {
    const path = join(dirname(outfile), f);
    if (f.startsWith(`${base}-`) && f.endsWith('.mjs') && !outputs.has(path)) rmSync(path, { force: true });
  }
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, join(process.cwd(), p)).split('\\').join('/'));
  writeFileSync(join(dirname(outfile), 'keyhold.inputs.json'), `${JSON.stringify(inputs)}\n`);
  if (optional) process.stdout.write(`keyhold: built the CLI bundle (${relative(root, outfile)})\n`);
} catch (e) {
  giveUp(e);
}
