// One damaged record takes nothing else down: with one flipped byte in one CMK every other
// command works, `vault verify` names the record, and maintenance reports it and goes on.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { LocalErrors } from '../../shared/errors.js';
import { cli, initVault, newSession, tempDir, TEST_PASSWORD } from '../helpers/vault.js';
import { join } from 'node:path';

const DAY = 86_400_000;

function flipByte(vault: string, keyId: string): void {
  const db = new Database(vault);
  try {
    const row = db.prepare('SELECT body FROM records WHERE tbl = ? AND id = ?').get('kms_keys', keyId) as { body: Buffer };
    const body = Buffer.from(row.body);
    body[body.length - 20] = (body[body.length - 20] ?? 0) ^ 0x01;
    db.prepare('UPDATE records SET body = ? WHERE tbl = ? AND id = ?').run(body, 'kms_keys', keyId);
  } finally {
    db.close();
  }
}

const keyIdOf = (r: { json: unknown }) => (r.json as { key_info: { key_id: string } }).key_info.key_id;

describe('one damaged CMK record', () => {
  it('leaves every other command working through the CLI, and vault verify names the record', () => {
    const vault = initVault();
    const damaged = keyIdOf(cli(vault, ['kms', 'create-key', '--key-alias', 'damaged']));
    const healthy = keyIdOf(cli(vault, ['kms', 'create-key', '--key-alias', 'healthy']));
    const sealed = (cli(vault, ['kms', 'encrypt-data', '--key-id', healthy, '--plain-text', 'still here']).json as { cipher_text: string }).cipher_text;
    // CSMS in use before (its default key exists: a damaged key might otherwise be it, see keys.ts).
    expect(cli(vault, ['csms', 'create-secret', '--name', 'db', '--secret-string', 's3cret']).status).toBe(0);
    flipByte(vault, damaged);

    const ok = (args: string[]) => {
      const r = cli(vault, args);
      expect(r.error, args.join(' ')).toBeUndefined();
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.json as Record<string, unknown>;
    };
    expect(ok(['kms', 'describe-key', '--key-id', healthy])).toMatchObject({ key_info: { key_alias: 'healthy' } });
    expect(ok(['kms', 'decrypt-data', '--cipher-text', sealed])).toMatchObject({ plain_text: 'still here' });
    ok(['kms', 'create-key', '--key-alias', 'after']);
    ok(['csms', 'create-secret', '--name', 'db2', '--secret-string', 'more']);
    expect(ok(['csms', 'show-secret-version', '--secret-name', 'db', '--version-id', 'latest'])).toMatchObject({ version: { secret_string: 's3cret' } });
    expect(ok(['audit', 'verify'])).toMatchObject({ valid: true });
    ok(['vault', 'backup', '--out', join(tempDir(), 'backup.db')]);

    const describeDamaged = cli(vault, ['kms', 'describe-key', '--key-id', damaged]);
    expect(describeDamaged.error?.error_code).toBe(LocalErrors.RecordCorrupt);
    const verify = cli(vault, ['vault', 'verify']);
    expect(verify.status).toBe(1);
    expect(verify.error?.error_code).toBe(LocalErrors.RecordCorrupt);
    expect(verify.error?.error_msg).toContain(`kms_keys/${damaged} (VAULT.0501)`);
    expect(verify.error?.error_msg).not.toContain(healthy);
  });

  it('maintenance reports a due key that does not open (audited once, with its id) and still does the others', async () => {
    const { session, path } = await newSession();
    const kms = (name: string, input: Record<string, unknown>) => session.call('kms', name, input, 'cli') as Promise<{ key_info: { key_id: string } }>;
    const broken = (await kms('create-key', { key_alias: 'broken' })).key_info.key_id;
    const doomed = (await kms('create-key', { key_alias: 'doomed' })).key_info.key_id;
    for (const key_id of [broken, doomed]) await kms('schedule-key-deletion', { key_id, pending_days: '7' });
    session.close();
    flipByte(path, broken);

    const later = Date.now() + 8 * DAY;
    const s = await Session.open(path, { password: TEST_PASSWORD }, { now: () => later });
    try {
      await expect(s.invoke('describeKey', { key_id: doomed }, 'cli')).rejects.toMatchObject({ code: 'KMS.0207' });
      await s.runDue();
      const { events } = s.audit.list({ limit: 100, operation: 'kms maintenance' });
      expect(events).toMatchObject([{ transport: 'system', key_id: broken, outcome: LocalErrors.RecordCorrupt, fields: { record: `kms_keys/${broken}` } }]);
      expect(s.audit.list({ limit: 100, operation: 'kms destroy-key' }).events.map((e) => e.key_id)).toEqual([doomed]);
      await expect(s.invoke('vaultVerify', {}, 'cli')).rejects.toThrow(`kms_keys/${broken} (VAULT.0501)`);
    } finally {
      s.close();
    }
  });

  it('builds the due index for a vault that has none, opening each key on its own, then opens no key when nothing is due', async () => {
    const { session, path } = await newSession();
    const id = (await session.invoke('createKey', { key_alias: 'k' }, 'cli')).key_info.key_id;
    await session.invoke('scheduleKeyDeletion', { key_id: id, pending_days: '7' }, 'cli');
    // A vault from before the index: remove it through Keyhold, so the audit log agrees.
    await session.vault.write(
      (tx) => tx.delete('kms_schedule', 'due'),
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test drop index', key_id: null, outcome: 'success', fields: {} }),
    );
    session.close();
    const s = await Session.open(path, { password: TEST_PASSWORD });
    try {
      expect(s.audit.list({ limit: 10, operation: 'kms index due work' }).events).toHaveLength(1);
      expect(s.vault.read('kms_schedule', 'due')).toEqual({ keys: { [id]: expect.any(Number) }, tokens: {} });
      // Cancelling the deletion takes the key out of the index in the same write.
      await s.invoke('cancelKeyDeletion', { key_id: id }, 'cli');
      expect(s.vault.read('kms_schedule', 'due')).toEqual({ keys: {}, tokens: {} });
      // Nothing due: maintenance opens no key (a damaged one goes unnoticed until it is used).
      flipByte(path, id);
      await s.runDue();
      expect(s.audit.list({ limit: 10, operation: 'kms maintenance' }).events).toEqual([]);
    } finally {
      s.close();
    }
  });
});
