import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { Vault } from '../../../electron/core/vault/vault.js';
import { LocalErrors } from '../../../shared/errors.js';
import { FakeKeychain } from '../../helpers/fake-keychain.js';
import { newSession, tempDir, TEST_PASSWORD } from '../../helpers/vault.js';

const headerOf = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return JSON.parse((db.prepare("SELECT v FROM meta WHERE k = 'header'").get() as { v: string }).v) as Record<string, unknown>;
  } finally {
    db.close();
  }
};

describe('vault', () => {
  it('uses WAL and synchronous=FULL', async () => {
    const { session } = await newSession();
    expect(session.vault.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(session.vault.db.pragma('synchronous', { simple: true })).toBe(2);
    session.close();
  });

  it('refuses to create over an existing vault', async () => {
    const { path, session } = await newSession();
    session.close();
    await expect(Vault.create(path, 'x', { kdfTargetMs: 10 })).rejects.toMatchObject({ code: LocalErrors.VaultExists });
  });

  it('rejects a wrong password with VAULT.0101 and a missing vault with VAULT.0102', async () => {
    const { path, session } = await newSession();
    session.close();
    await expect(Session.open(path, { password: 'nope' })).rejects.toMatchObject({ code: LocalErrors.WrongPassword });
    await expect(Session.open(join(tempDir(), 'none.db'), { password: 'x' })).rejects.toMatchObject({ code: LocalErrors.VaultMissing });
  });

  it('change-password rewraps only the root key: records and audit are untouched', async () => {
    const { path, session } = await newSession();
    const { key_info } = await session.invoke('createKey', { key_alias: 'k' }, 'cli');
    const recordsBefore = session.vault.db.prepare('SELECT tbl, id, rev, body FROM records ORDER BY tbl, id').all();
    await session.invoke('vaultChangePassword', { new_password: 'new password' }, 'cli');
    expect(session.vault.db.prepare('SELECT tbl, id, rev, body FROM records ORDER BY tbl, id').all()).toEqual(recordsBefore);
    session.close();
    await expect(Session.open(path, { password: TEST_PASSWORD })).rejects.toMatchObject({ code: LocalErrors.WrongPassword });
    const reopened = await Session.open(path, { password: 'new password' });
    expect(await reopened.invoke('describeKey', { key_id: key_info.key_id }, 'cli')).toMatchObject({ key_info: { key_alias: 'k' } });
    expect((await reopened.audit.verify()).entries).toBeGreaterThan(0);
    reopened.close();
  });

  it('never stores the root key or password in the header', async () => {
    const { path, session } = await newSession('hunter2-password');
    session.close();
    const text = JSON.stringify(headerOf(path));
    expect(text).not.toContain('hunter2');
    expect(Object.keys(headerOf(path)).sort()).toEqual(
      ['created', 'domain_id', 'format', 'header_mac', 'kdf', 'project_id', 'root_by_password', 'vault_id'].sort(),
    );
  });

  it('remembers this device through the keychain interface and forgets it', async () => {
    const keychain = new FakeKeychain();
    const { path, session } = await newSession();
    await session.rememberDevice(keychain);
    const vaultId = session.vault.header.vault_id;
    session.close();
    const secret = keychain.get(vaultId);
    expect(secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const viaDevice = await Session.open(path, { deviceSecret: Buffer.from(secret as string, 'base64') });
    await viaDevice.forgetDevice(keychain);
    viaDevice.close();
    expect(keychain.get(vaultId)).toBeNull();
    await expect(Session.open(path, { deviceSecret: Buffer.from(secret as string, 'base64') })).rejects.toMatchObject({ code: LocalErrors.WrongPassword });
  });

  it('still detects a record altered by another process after this session read (and cached) it', async () => {
    const { path, session } = await newSession();
    const { key_info } = await session.invoke('createKey', { key_alias: 'hot' }, 'cli');
    await session.invoke('describeKey', { key_id: key_info.key_id }, 'cli');
    const other = new Database(path);
    const row = other.prepare('SELECT body FROM records WHERE id = ?').get(key_info.key_id) as { body: Buffer };
    row.body[row.body.length - 1] = (row.body[row.body.length - 1] ?? 0) ^ 1;
    other.prepare('UPDATE records SET body = ? WHERE id = ?').run(row.body, key_info.key_id);
    other.close();
    await expect(session.invoke('describeKey', { key_id: key_info.key_id }, 'cli')).rejects.toMatchObject({ code: LocalErrors.RecordCorrupt });
    session.close();
  });

  it('still refuses records replayed or swapped by another process while this session has them cached (VAULT.0503, VAULT.0502)', async () => {
    const { path, session } = await newSession();
    const idOf = async (alias: string) => (await session.invoke('createKey', { key_alias: alias }, 'cli')).key_info.key_id;
    const a = await idOf('a');
    const b = await idOf('b');
    const rowOf = (db: Database.Database, id: string) => db.prepare('SELECT rev, body FROM records WHERE id = ?').get(id) as { rev: number; body: Buffer };
    const other = new Database(path);
    const before = rowOf(other, a);
    await session.invoke('disableKey', { key_id: a }, 'cli');
    const describe = (id: string) => session.invoke('describeKey', { key_id: id }, 'cli');
    await describe(a);
    await describe(b);
    // The older body put back under the current revision number.
    other.prepare('UPDATE records SET body = ? WHERE id = ?').run(before.body, a);
    await expect(describe(a)).rejects.toMatchObject({ code: LocalErrors.RecordReplayed });
    await expect(describe(a)).rejects.toMatchObject({ code: LocalErrors.RecordReplayed });
    // b's body moved into a's row (with b's revision, so only the sealed identity differs).
    other.prepare('UPDATE records SET rev = ?, body = ? WHERE id = ?').run(rowOf(other, b).rev, rowOf(other, b).body, a);
    await expect(describe(a)).rejects.toMatchObject({ code: LocalErrors.RecordMisplaced });
    other.close();
    session.close();
  });

  it('reads what was committed after a write that read its own change and then rolled back', async () => {
    const { session } = await newSession();
    const vault = session.vault;
    await vault.write(
      (tx) => tx.put('t', 'r', { v: 1 }),
      () => undefined,
    );
    expect(vault.read('t', 'r')).toEqual({ v: 1 });
    await expect(
      vault.write(
        (tx) => {
          tx.put('t', 'r', { v: 2 });
          expect(tx.read('t', 'r')).toEqual({ v: 2 });
          tx.put('t', 'gone', { v: 3 });
          expect(tx.list('t')).toEqual([{ v: 3 }, { v: 2 }]);
          throw new Error('changed my mind');
        },
        () => undefined,
      ),
    ).rejects.toThrow('changed my mind');
    expect(vault.read('t', 'r')).toEqual({ v: 1 });
    expect(vault.read('t', 'gone')).toBeUndefined();
    expect(vault.list('t')).toEqual([{ v: 1 }]);
    session.close();
  });
});
