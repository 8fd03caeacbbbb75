// Tampering with the vault file outside Keyhold is detected, each kind with its own code:
// swapped records, a flipped byte, an older revision replayed, the newest audit rows deleted.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { LocalErrors } from '../../shared/errors.js';
import { cli, newSession, TEST_PASSWORD } from '../helpers/vault.js';

interface Row {
  rev: number;
  body: Buffer;
}

async function vaultWithTwoKeys() {
  const { session, path } = await newSession();
  const a = (await session.invoke('createKey', { key_alias: 'a' }, 'cli')).key_info.key_id;
  const b = (await session.invoke('createKey', { key_alias: 'b' }, 'cli')).key_info.key_id;
  session.close();
  return { path, a, b };
}

function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const rowOf = (db: Database.Database, id: string) => db.prepare('SELECT rev, body FROM records WHERE tbl = ? AND id = ?').get('kms_keys', id) as Row;
const setRow = (db: Database.Database, id: string, row: Row) =>
  db.prepare('UPDATE records SET rev = ?, body = ? WHERE tbl = ? AND id = ?').run(row.rev, row.body, 'kms_keys', id);

async function describeError(path: string, keyId: string): Promise<string> {
  const session = await Session.open(path, { password: TEST_PASSWORD }).catch((e: { code: string }) => e);
  if (!(session instanceof Session)) return session.code;
  try {
    await session.invoke('describeKey', { key_id: keyId }, 'cli');
    return 'no error';
  } catch (e) {
    return (e as { code: string }).code;
  } finally {
    session.close();
  }
}

describe('tamper detection', () => {
  it('detects two sealed records swapped (VAULT.0502)', async () => {
    const { path, a, b } = await vaultWithTwoKeys();
    withDb(path, (db) => {
      const ra = rowOf(db, a);
      const rb = rowOf(db, b);
      setRow(db, a, { rev: ra.rev, body: rb.body });
      setRow(db, b, { rev: rb.rev, body: ra.body });
    });
    expect(await describeError(path, a)).toBe(LocalErrors.RecordMisplaced);
  });

  it('detects a flipped byte in a sealed record (VAULT.0501)', async () => {
    const { path, a } = await vaultWithTwoKeys();
    withDb(path, (db) => {
      const r = rowOf(db, a);
      const body = Buffer.from(r.body);
      body[body.length - 20] = (body[body.length - 20] ?? 0) ^ 0x01;
      setRow(db, a, { rev: r.rev, body });
    });
    expect(await describeError(path, a)).toBe(LocalErrors.RecordCorrupt);
  });

  it('detects an older revision replayed, whole row (VAULT.0503 at unlock)', async () => {
    const { path, a } = await vaultWithTwoKeys();
    const old = withDb(path, (db) => rowOf(db, a));
    const session = await Session.open(path, { password: TEST_PASSWORD });
    await session.invoke('disableKey', { key_id: a }, 'cli');
    session.close();
    withDb(path, (db) => setRow(db, a, old));
    expect(await describeError(path, a)).toBe(LocalErrors.RecordReplayed);
  });

  it('detects an older body put under the current revision number (VAULT.0503 on read)', async () => {
    const { path, a } = await vaultWithTwoKeys();
    const old = withDb(path, (db) => rowOf(db, a));
    const session = await Session.open(path, { password: TEST_PASSWORD });
    await session.invoke('disableKey', { key_id: a }, 'cli');
    session.close();
    withDb(path, (db) => setRow(db, a, { rev: rowOf(db, a).rev, body: old.body }));
    expect(await describeError(path, a)).toBe(LocalErrors.RecordReplayed);
  });

  it('detects a deleted record (VAULT.0504)', async () => {
    const { path, a, b } = await vaultWithTwoKeys();
    withDb(path, (db) => db.prepare('DELETE FROM records WHERE id = ?').run(b));
    expect(await describeError(path, a)).toBe(LocalErrors.RecordMissing);
  });

  it('detects the newest audit rows deleted (AUDIT.0502), also through the CLI (exit 1)', async () => {
    const { path } = await vaultWithTwoKeys();
    withDb(path, (db) => db.prepare('DELETE FROM audit WHERE seq > (SELECT MAX(seq) - 2 FROM audit)').run());
    const r = cli(path, ['audit', 'verify']);
    expect(r.status).toBe(1);
    expect(r.error?.error_code).toBe(LocalErrors.AuditTruncated);
    expect(r.stdout).toBe('');
  });

  it('detects an audit entry rewritten in the middle of the log (AUDIT.0501)', async () => {
    const { path } = await vaultWithTwoKeys();
    withDb(path, (db) => {
      const row = db.prepare('SELECT entry FROM audit WHERE seq = 2').get() as { entry: string };
      db.prepare('UPDATE audit SET entry = ? WHERE seq = 2').run(row.entry.replace('"success"', '"KMS.0207"'));
    });
    const r = cli(path, ['audit', 'verify']);
    expect(r.error?.error_code).toBe(LocalErrors.AuditChainBroken);
  });
});
