// The layer graph of docs/architecture.md is enforced by lint on resolved paths: every way a
// module can reach another (static, re-export, import(), import types, require, createRequire)
// is checked, whatever the spelling, and a file in no layer is an error.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/vault.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = 1;\n`, { filePath: `${PROJECT_ROOT}/${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'keyhold/layers').map((m) => m.message);
}

describe('layer graph', () => {
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
    ['shared/x.ts', "import x from 'fs/promises';"],
    ['shared/x.ts', "import x from '../electron/core/kms/keys.js';"],
    ['renderer/src/x.ts', "import x from 'node:path';"],
    ['renderer/src/x.ts', "import x from '../../electron/core/api/index.js';"],
    // Escapes the spelling-based rules let through:
    ['electron/core/crypto/x.ts', "import x from '../../core/api/session.js';"],
    ['electron/core/kms/x.ts', "const x = await import('../api/session.js');"],
    ['electron/core/kms/x.ts', 'const x = await import(`../api/session.js`);'],
    ['electron/core/kms/x.ts', "import { createRequire } from 'node:module';\nconst x = createRequire(import.meta.url)('../api/session.js');"],
    ['electron/core/kms/x.ts', "import { createRequire } from 'node:module';\nconst req = createRequire(import.meta.url);\nconst x = req('../audit/log.js');"],
    ['electron/core/kms/x.ts', "const x = require('../api/session.js');"],
    ['electron/core/kms/x.ts', "export { Session } from '../api/session.js';"],
    ['electron/core/kms/x.ts', "export * from '../api/session.js';"],
    ['electron/core/kms/x.ts', "import type { Session } from '../api/session.js';"],
    ['electron/core/kms/x.ts', "type S = import('../api/session.js').Session;"],
    ['electron/core/billing/x.ts', "import x from '../api/index.js';"],
    ['electron/core/billing/x.ts', "import x from 'electron';"],
    ['electron/core/vault/x.ts', "import x from '../../security.js';"],
    ['electron/ui/x.ts', "import x from '../core/vault/vault.js';"],
    ['electron/ui/x.ts', "import x from '../../electron/core/vault/store.js';"],
    ['electron/core/kms/x.ts', "const name = '../api/session.js';\nconst x = await import(name);"],
  ];
  for (const [file, code] of wrong) {
    it(`refuses ${code.replaceAll('\n', ' ')} in ${file}`, async () => {
      expect(await layerErrors(file, code)).not.toEqual([]);
    });
  }
  const right: [string, string][] = [
    ['electron/core/kms/x.ts', "import x from '../vault/store.js';"],
    ['electron/core/kms/x.ts', "import x from '../secrets/records.js';"],
    ['electron/core/audit/x.ts', "import x from '../vault/vault.js';"],
    ['electron/cli/x.ts', "import x from '../core/api/index.js';"],
    ['electron/core/vault/x.ts', "import x from '../crypto/aead.js';"],
    ['electron/core/kms/x.ts', "const x = await import('../vault/store.js');"],
    ['electron/core/kms/x.ts', "import { createRequire } from 'node:module';\nconst x = createRequire(import.meta.url)('ssh2');"],
    ['shared/x.ts', "import x from './errors.js';"],
  ];
  for (const [file, code] of right) {
    it(`allows ${code.replaceAll('\n', ' ')} in ${file}`, async () => {
      expect(await layerErrors(file, code)).toEqual([]);
    });
  }

  it('names the layers and the resolved file in its message', async () => {
    const [message] = await layerErrors('electron/core/crypto/x.ts', "import x from '../../core/api/session.js';");
    expect(message).toContain('Layer crypto may not import layer api');
    expect(message).toContain('electron/core/api/session.js');
  });

  it('refuses a file that no layer names, even with no imports', async () => {
    expect(await layerErrors('electron/core/billing/y.ts', 'const y = 1;')).toEqual([expect.stringContaining('is in no layer')]);
  });
});
