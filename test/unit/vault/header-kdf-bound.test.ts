// A vault header's Argon2 work (memory × passes) is bounded before any derivation, for unlock
// and for `vault restore --in` of a file someone sent: 1 GiB and 64 passes are each in range but
// not together. The proof that nothing was derived is that Argon2 is never called.
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { restoreVault } from '../../../electron/core/api/maintenance.js';
import { KDF_BOUNDS, checkKdf } from '../../../electron/core/vault/kdf-params.js';
import { LocalErrors } from '../../../shared/errors.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';

const derived = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../../electron/core/crypto/kdf.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../electron/core/crypto/kdf.js')>();
  return {
    ...actual,
    argon2id: (...args: Parameters<typeof actual.argon2id>) => {
      derived.calls++;
      return actual.argon2id(...args);
    },
  };
});

const GiB_IN_KiB = 1024 * 1024;

/** A vault whose header asks for 1 GiB × 64 passes (each within its own range). */
async function costlyVault(): Promise<string> {
  const { session, path } = await newSession();
  await session.invoke('createKey', { key_alias: 'k' }, 'cli');
  session.close();
  const db = new Database(path);
  const h = JSON.parse(db.prepare("SELECT v FROM meta WHERE k = 'header'").pluck().get() as string) as { kdf: { m: number; t: number } };
  h.kdf.m = GiB_IN_KiB;
  h.kdf.t = 64;
  db.prepare("UPDATE meta SET v = ? WHERE k = 'header'").run(JSON.stringify(h));
  db.close();
  return path;
}

const refusal = expect.objectContaining({
  code: LocalErrors.HeaderOutOfBounds,
  message: expect.stringMatching(/kdf\.m × kdf\.t = 1048576 KiB × 64 passes .* exceeds the bound of 8388608 KiB·passes/),
});

describe('vault header KDF work bound', () => {
  it('allows 1 GiB or 64 passes, not both, and what calibration can produce at most', () => {
    const salt = Buffer.alloc(16, 1).toString('base64');
    expect(() => checkKdf({ alg: 'argon2id', m: GiB_IN_KiB, t: 8, p: 1, salt })).not.toThrow();
    expect(() => checkKdf({ alg: 'argon2id', m: 128 * 1024, t: 64, p: 1, salt })).not.toThrow();
    expect(() => checkKdf({ alg: 'argon2id', m: GiB_IN_KiB, t: 9, p: 1, salt })).toThrow(expect.objectContaining({ code: LocalErrors.HeaderOutOfBounds }));
    expect(KDF_BOUNDS.work.max).toBe(8 * GiB_IN_KiB);
  });

  it('refuses to unlock a vault asking for 1 GiB × 64 passes, before any derivation', async () => {
    const path = await costlyVault();
    derived.calls = 0;
    await expect(Session.open(path, { password: TEST_PASSWORD })).rejects.toEqual(refusal);
    expect(derived.calls).toBe(0);
  });

  it('refuses `vault restore --in` of such a file before any derivation, leaving the vault as it was', async () => {
    const backup = await costlyVault();
    const { session, path } = await newSession();
    session.close();
    derived.calls = 0;
    await expect(restoreVault(backup, path, TEST_PASSWORD)).rejects.toEqual(refusal);
    expect(derived.calls).toBe(0);
    const reopened = await Session.open(path, { password: TEST_PASSWORD });
    expect(await reopened.invoke('vaultVerify', {}, 'cli')).toMatchObject({ valid: true });
    reopened.close();
    // The spy does see derivations: the unlock just now made one.
    expect(derived.calls).toBe(1);
  });
});
