import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkKdf, calibrateKdf, KDF_BOUNDS } from '../../../electron/core/vault/kdf-params.js';
import { Vault } from '../../../electron/core/vault/vault.js';
import { LocalErrors } from '../../../shared/errors.js';
import { newSession } from '../../helpers/vault.js';

const good = { alg: 'argon2id', m: 8192, t: 2, p: 1, salt: Buffer.alloc(16, 1).toString('base64') };

describe('KDF parameters', () => {
  it('accepts parameters within bounds', () => {
    expect(checkKdf(good)).toMatchObject({ m: 8192, t: 2, p: 1 });
  });
  for (const [what, patch] of [
    ['4 GiB of memory', { m: 4 * 1024 * 1024 }],
    ['a million passes', { t: 1_000_000 }],
    ['zero lanes', { p: 0 }],
    ['a fractional cost', { t: 1.5 }],
    ['a string cost', { m: '8192' }],
    ['a short salt', { salt: 'AAAA' }],
    ['another algorithm', { alg: 'scrypt' }],
  ] as const) {
    it(`rejects ${what} with VAULT.0103`, () => {
      expect(() => checkKdf({ ...good, ...patch })).toThrow(expect.objectContaining({ code: LocalErrors.HeaderOutOfBounds }));
    });
  }

  it('refuses to open a vault whose header asks for absurd memory, before deriving anything', async () => {
    const { path, session } = await newSession();
    session.close();
    const db = new Database(path);
    const row = db.prepare("SELECT v FROM meta WHERE k = 'header'").get() as { v: string };
    const h = JSON.parse(row.v) as { kdf: { m: number } };
    h.kdf.m = 4 * 1024 * 1024;
    db.prepare("UPDATE meta SET v = ? WHERE k = 'header'").run(JSON.stringify(h));
    db.close();
    const started = performance.now();
    expect(() => Vault.open(path)).toThrow(expect.objectContaining({ code: LocalErrors.HeaderOutOfBounds }));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('calibrates within bounds', async () => {
    const k = await calibrateKdf(20);
    expect(k.m).toBeGreaterThanOrEqual(KDF_BOUNDS.m.min);
    expect(k.t).toBeGreaterThanOrEqual(1);
    expect(k.t).toBeLessThanOrEqual(KDF_BOUNDS.t.max);
    expect(() => checkKdf(k)).not.toThrow();
  });
});
