import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoreVault, Session } from '../../../electron/core/api/index.js';
import { LocalErrors } from '../../../shared/errors.js';
import { newSession, tempDir, TEST_PASSWORD } from '../../helpers/vault.js';

describe('backup and restore', () => {
  it('backs up while in use and restores to that point', async () => {
    const { path, session } = await newSession();
    const { key_info } = await session.invoke('createKey', { key_alias: 'kept' }, 'cli');
    const out = join(tempDir(), 'backup.db');
    // A write races the backup: the copy must still be a consistent vault.
    const [backup] = await Promise.all([session.invoke('vaultBackup', { out }, 'cli'), session.invoke('createKey', { key_alias: 'racing' }, 'cli')]);
    expect(backup).toMatchObject({ backup: out });
    await session.invoke('createKey', { key_alias: 'after-backup' }, 'cli');
    session.close();

    const restored = await restoreVault(out, path, TEST_PASSWORD);
    expect(restored.records).toBeGreaterThan(0);
    const s = await Session.open(path, { password: TEST_PASSWORD });
    const aliases = (await s.invoke('listKeys', {}, 'cli')).key_details.map((k) => k.key_alias);
    expect(aliases).toContain('kept');
    expect(aliases).not.toContain('after-backup');
    expect(await s.invoke('describeKey', { key_id: key_info.key_id }, 'cli')).toBeTruthy();
    expect((await s.audit.verify()).entries).toBeGreaterThan(0);
    s.close();
  });

  it('refuses a backup whose schema runs its own SQL (a view over an endless query hung the process), at once and with the vault as it was', async () => {
    const { path, session } = await newSession();
    await session.invoke('createKey', { key_alias: 'kept' }, 'cli');
    const out = join(tempDir(), 'backup.db');
    await session.invoke('vaultBackup', { out }, 'cli');
    session.close();
    const db = new Database(out);
    db.exec(
      'ALTER TABLE meta RENAME TO meta_real; CREATE VIEW meta AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT k,v FROM meta_real WHERE (SELECT count(*) FROM c) > 0;',
    );
    db.close();
    await expect(restoreVault(out, path, TEST_PASSWORD)).rejects.toMatchObject({ code: LocalErrors.VaultFormat });
    // A trigger or an extra table is refused the same way.
    const other = join(tempDir(), 'backup2.db');
    const s0 = await Session.open(path, { password: TEST_PASSWORD });
    await s0.invoke('vaultBackup', { out: other }, 'cli');
    s0.close();
    const db2 = new Database(other);
    db2.exec('CREATE TRIGGER t AFTER INSERT ON audit BEGIN DELETE FROM records; END;');
    db2.close();
    await expect(restoreVault(other, path, TEST_PASSWORD)).rejects.toMatchObject({ code: LocalErrors.VaultFormat });
    const s = await Session.open(path, { password: TEST_PASSWORD });
    expect((await s.invoke('listKeys', {}, 'cli')).key_details.map((k) => k.key_alias)).toContain('kept');
    s.close();
  });

  it('refuses a backup that was tampered with, leaving the vault as it was', async () => {
    const { path, session } = await newSession();
    await session.invoke('createKey', { key_alias: 'x' }, 'cli');
    const out = join(tempDir(), 'backup.db');
    await session.invoke('vaultBackup', { out }, 'cli');
    session.close();
    const db = new Database(out);
    db.prepare('DELETE FROM audit WHERE seq = 2').run();
    db.close();
    await expect(restoreVault(out, path, TEST_PASSWORD)).rejects.toMatchObject({ code: LocalErrors.AuditChainBroken });
    const s = await Session.open(path, { password: TEST_PASSWORD });
    expect((await s.audit.verify()).entries).toBeGreaterThan(0);
    s.close();
  });

  it('refuses to overwrite an existing file with a backup', async () => {
    const { session, path } = await newSession();
    await expect(session.invoke('vaultBackup', { out: path }, 'cli')).rejects.toMatchObject({ code: LocalErrors.BadArgument });
    session.close();
  });
});
