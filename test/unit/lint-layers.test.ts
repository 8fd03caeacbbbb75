// The layering of DESIGN §2 is enforced by lint: each wrong-direction import fails.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/vault.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function restricted(file: string, code: string): Promise<boolean> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: `${PROJECT_ROOT}/${file}` });
  return (result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
}

describe('layer rules', () => {
  const wrong: [string, string][] = [
    ['electron/core/kms/x.ts', "import x from 'electron';"],
    ['electron/core/crypto/x.ts', "import x from '../vault/vault.js';"],
    ['electron/core/vault/x.ts', "import x from '../hsm/software.js';"],
    ['electron/core/hsm/x.ts', "import x from '../vault/vault.js';"],
    ['electron/core/kms/x.ts', "import x from '../api/session.js';"],
    ['electron/core/kms/x.ts', "import x from '../audit/log.js';"],
    ['electron/core/audit/x.ts', "import x from '../kms/keys.js';"],
    ['electron/core/api/x.ts', "import x from '../../cli/main.js';"],
    ['electron/cli/x.ts', "import x from '../core/vault/vault.js';"],
    ['shared/x.ts', "import x from 'node:fs';"],
    ['shared/x.ts', "import x from '../electron/core/kms/keys.js';"],
    ['renderer/src/x.ts', "import x from 'node:path';"],
    ['renderer/src/x.ts', "import x from '../../electron/core/api/index.js';"],
  ];
  for (const [file, code] of wrong) {
    it(`refuses ${code} in ${file}`, async () => {
      expect(await restricted(file, code)).toBe(true);
    });
  }
  const right: [string, string][] = [
    ['electron/core/kms/x.ts', "import x from '../vault/store.js';"],
    ['electron/core/audit/x.ts', "import x from '../vault/vault.js';"],
    ['electron/cli/x.ts', "import x from '../core/api/index.js';"],
    ['electron/core/vault/x.ts', "import x from '../crypto/aead.js';"],
  ];
  for (const [file, code] of right) {
    it(`allows ${code} in ${file}`, async () => {
      expect(await restricted(file, code)).toBe(false);
    });
  }
});
