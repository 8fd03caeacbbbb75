// The layer rules for the desktop pieces: .svelte files (which ESLint does not parse here) import
// no Node and nothing under electron/; the shell and electron/ui/ reach the core only through its api.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/vault.js';

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? svelteFiles(join(dir, e.name)) : e.name.endsWith('.svelte') ? [join(dir, e.name)] : [],
  );
}

/** Import specifiers in a component's script, found by the forbidden pattern's own shape. */
function forbiddenImports(source: string): string[] {
  const specs = [...source.matchAll(/\bimport\b[^'"]*?['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
  return specs.filter(
    (s) => s.startsWith('node:') || s === 'electron' || /(^|\/)electron\//.test(s) || ['fs', 'path', 'child_process', 'os', 'crypto'].includes(s),
  );
}

describe('.svelte components', () => {
  it('finds a forbidden import when there is one', () => {
    expect(forbiddenImports("<script>import { readFileSync } from 'node:fs'; import x from '../../electron/core/api/index.js';</script>")).toEqual([
      'node:fs',
      '../../electron/core/api/index.js',
    ]);
  });

  const files = svelteFiles(join(PROJECT_ROOT, 'renderer/src'));
  it('exist', () => expect(files.length).toBeGreaterThan(5));
  for (const file of files) {
    it(`${relative(PROJECT_ROOT, file)} imports no Node and nothing under electron/`, () => {
      expect(forbiddenImports(readFileSync(file, 'utf8'))).toEqual([]);
    });
  }
});

describe('shell layer rules', () => {
  const eslint = new ESLint({ cwd: PROJECT_ROOT });
  async function restricted(file: string, code: string): Promise<boolean> {
    const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: `${PROJECT_ROOT}/${file}` });
    return (result?.messages ?? []).some((m) => m.ruleId === 'keyhold/layers');
  }
  const cases: [string, string, boolean][] = [
    ['electron/x.ts', "import x from './core/vault/vault.js';", true],
    ['electron/x.ts', "import x from './core/api/index.js';", false],
    ['electron/x.ts', "import x from 'electron';", false],
    ['electron/ui/x.ts', "import x from 'electron';", true],
    ['electron/ui/x.ts', "import x from '../core/kms/keys.js';", true],
    ['electron/ui/x.ts', "import x from '../core/api/index.js';", false],
    ['renderer/src/lib/x.ts', "import x from 'electron';", true],
  ];
  for (const [file, code, refused] of cases) {
    it(`${refused ? 'refuses' : 'allows'} ${code} in ${file}`, async () => {
      expect(await restricted(file, code)).toBe(refused);
    });
  }
});
