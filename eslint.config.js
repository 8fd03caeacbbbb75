// Lint, and the layering of DESIGN §2 enforced: arrows point down
// (transport → api → services → audit → hsm/vault → crypto; shared/ under everything).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);
const services = ['kms', 'secrets', 'keypairs', 'envelope', 'remote', 'servers', 'iam'];
const up = (dirs) => dirs.flatMap((d) => [`../${d}/**`, `../${d}`, `../../${d}/**`]);

/** One no-restricted-imports rule per layer (flat config replaces, not merges, rule options). */
function layer(files, { patterns = [], paths = [], message }) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: paths.map((name) => ({ name, message })), patterns: [{ group: patterns, message }] }],
    },
  };
}

const noElectron = ['electron'];
const aboveCore = ['**/cli/**', '**/server/**', '**/renderer/**', '**/main', '**/main.js', '**/ipc', '**/ipc.js', '**/preload', '**/preload.js'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'coverage/**', 'test-results/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use node:crypto randomness, never Math.random.' }],
    },
  },
  layer(['shared/**/*.ts'], {
    paths: [...nodeBuiltins, ...noElectron],
    patterns: ['**/electron/**', '**/renderer/**', 'node:*'],
    message: 'shared/ is the contract under every process: no Node, no Electron, no imports from above.',
  }),
  layer(['electron/core/crypto/**/*.ts'], {
    paths: noElectron,
    patterns: [...aboveCore, ...up(['api', 'audit', 'hsm', 'vault', ...services])],
    message: 'crypto/ knows bytes only: it imports nothing above it.',
  }),
  layer(['electron/core/hsm/**/*.ts', 'electron/core/vault/**/*.ts'], {
    paths: noElectron,
    patterns: [...aboveCore, ...up(['api', 'audit', ...services]), ...(['../hsm/**', '../vault/**'])],
    message: 'hsm/ and vault/ sit on crypto/ only; they do not import each other or anything above.',
  }),
  layer(['electron/core/audit/**/*.ts'], {
    paths: noElectron,
    patterns: [...aboveCore, ...up(['api', 'hsm', ...services])],
    message: 'audit/ sits on vault/ and crypto/ only.',
  }),
  layer(services.map((s) => `electron/core/${s}/**/*.ts`), {
    paths: noElectron,
    patterns: [...aboveCore, ...up(['api', 'audit'])],
    message: 'Services are called by api/; they never import it (or audit/, which api/ drives).',
  }),
  layer(['electron/core/api/**/*.ts'], {
    paths: noElectron,
    patterns: aboveCore,
    message: 'api/ is the top of the core: no transports, no electron.',
  }),
  layer(['electron/cli/**/*.ts', 'electron/server/**/*.ts'], {
    paths: noElectron,
    patterns: ['../core/*/**', '!../core/api', '!../core/api/**', '../../electron/core/*/**', '**/renderer/**'],
    message: 'Transports use the core only through core/api (and shared/).',
  }),
  layer(['renderer/**/*.ts', 'renderer/**/*.svelte'], {
    paths: [...nodeBuiltins, ...noElectron],
    patterns: ['**/electron/**', 'node:*'],
    message: 'The renderer has no Node and no Electron: it talks through src/lib/api.ts only.',
  }),
  {
    files: ['test/**/*.ts', 'scripts/**/*.mjs', 'bin/**/*.mjs', '*.config.*'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
