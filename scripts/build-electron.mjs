// Builds the Electron main process (ESM, dependencies left to node_modules) and the preload
// (one CommonJS file: a sandboxed preload can require nothing but 'electron').
import { builtinModules } from 'node:module';
import { build } from 'vite';

const node = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const common = { configFile: false, logLevel: 'warn', publicDir: false };

await build({
  ...common,
  build: {
    ssr: 'electron/main.ts',
    outDir: 'dist/electron',
    emptyOutDir: false,
    target: 'node20',
    sourcemap: false,
    rollupOptions: { external: ['electron', ...node], output: { format: 'es', entryFileNames: 'main.js' } },
  },
  ssr: { target: 'node' },
});

await build({
  ...common,
  build: {
    ssr: 'electron/preload.ts',
    outDir: 'dist/electron',
    emptyOutDir: false,
    target: 'node20',
    rollupOptions: { external: ['electron'], output: { format: 'cjs', entryFileNames: 'preload.cjs' } },
  },
  // Bundle everything the preload imports (only shared/ constants): nothing else can be required.
  ssr: { target: 'node', noExternal: true },
});
