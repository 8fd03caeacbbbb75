// Lint, and the layering of docs/architecture.md enforced on resolved paths: arrows point down
// (transport → api → services → audit → hsm/vault → crypto; shared/ under everything).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

import layers from './eslint-rules/layers.js';

const services = ['kms', 'secrets', 'keypairs', 'envelope', 'remote', 'servers', 'iam'];

/**
 * The layer graph (docs/architecture.md shows it): each layer names the folders it owns and the
 * layers it may import. Arrows point down; a layer always imports itself. Checked on resolved
 * paths by eslint-rules/layers.js; a file under electron/, shared/ or renderer/ that no layer
 * names is an error.
 */
const layerGraph = [
  { name: 'shared', files: ['shared/**'], mayImport: [], node: false },
  { name: 'crypto', files: ['electron/core/crypto/**'], mayImport: ['shared'] },
  { name: 'hsm', files: ['electron/core/hsm/**'], mayImport: ['crypto', 'shared'] },
  { name: 'vault', files: ['electron/core/vault/**'], mayImport: ['crypto', 'shared'] },
  { name: 'audit', files: ['electron/core/audit/**'], mayImport: ['vault', 'crypto', 'shared'] },
  { name: 'services', files: services.map((s) => `electron/core/${s}/**`), mayImport: ['hsm', 'vault', 'crypto', 'shared'] },
  { name: 'api', files: ['electron/core/api/**'], mayImport: ['services', 'audit', 'hsm', 'vault', 'crypto', 'shared'] },
  { name: 'ui-backend', files: ['electron/ui/**'], mayImport: ['api', 'shared'] },
  { name: 'server', files: ['electron/server/**'], mayImport: ['ui-backend', 'api', 'shared'] },
  { name: 'agent', files: ['electron/agent/**'], mayImport: ['api', 'vault', 'shared'] },
  { name: 'cli', files: ['electron/cli/**'], mayImport: ['server', 'agent', 'ui-backend', 'api', 'shared'] },
  { name: 'shell', files: ['electron/*'], mayImport: ['agent', 'ui-backend', 'api', 'shared'], electron: true },
  { name: 'renderer', files: ['renderer/**'], mayImport: ['shared'], node: false },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'coverage/**', 'test-results/**', 'renderer/dist/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use node:crypto randomness, never Math.random.' },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts'],
    plugins: { keyhold: { rules: { layers } } },
    rules: {
      'keyhold/layers': ['error', { root: import.meta.dirname, checked: ['electron/**', 'shared/**', 'renderer/**'], layers: layerGraph }],
    },
  },
  // .svelte files are not linted (no Svelte parser here); test/unit/renderer-imports.test.ts
  // holds them to the renderer's rule.
  {
    files: ['renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
