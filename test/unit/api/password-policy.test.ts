// The master-password policy holds in the core, whatever the door: `keyhold init`, a vault
// created by the app (Session.create), and change-password called without any UI.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { requireMasterPasswordPolicy } from '../../../electron/core/api/password-policy.js';
import { cli, newSession, tempDir, TEST_PASSWORD } from '../../helpers/vault.js';

let session: Session;
beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

const policy = expect.objectContaining({ code: 'VAULT.0108', status: 400 });

describe('master-password policy', () => {
  it('wants 8 to 1024 characters, counted as characters rather than bytes', () => {
    for (const bad of ['', 'a', '1234567', 'ééééééé', '🔑🔑🔑🔑🔑🔑🔑', 'x'.repeat(1025)]) expect(() => requireMasterPasswordPolicy(bad)).toThrow(policy);
    for (const good of ['12345678', '🔑🔑🔑🔑🔑🔑🔑🔑', 'x'.repeat(1024)]) expect(() => requireMasterPasswordPolicy(good)).not.toThrow();
  });

  it('Session.create refuses a weak password before writing anything', async () => {
    const path = join(tempDir(), 'vault.db');
    await expect(Session.create(path, 'a', { kdfTargetMs: 10 })).rejects.toEqual(policy);
    expect(existsSync(path)).toBe(false);
  });

  it('keyhold init refuses it with the code', () => {
    const path = join(tempDir(), 'vault.db');
    const r = cli(path, ['init', '--kdf-target-ms', '10'], { password: 'short' });
    expect(r.status).not.toBe(0);
    expect(r.error?.error_code).toBe('VAULT.0108');
    expect(existsSync(path)).toBe(false);
  });

  it('change-password refuses it and keeps the old password', async () => {
    await expect(session.invoke('vaultChangePassword', { new_password: 'seven77' }, 'cli')).rejects.toEqual(policy);
    const again = await Session.open(session.vault.path, { password: TEST_PASSWORD });
    again.close();
  });
});
