// The vault, its -wal and -shm, and backups hold the wrapped root key and the KDF salt: they are
// 0600 whatever the umask or the folder's mode, and opening a vault made 0644 mends it.
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { restoreVault } from '../../../electron/core/api/maintenance.js';
import { tempDir, TEST_PASSWORD } from '../../helpers/vault.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

let saved: number;
beforeEach(() => {
  // The most permissive umask there is: nothing is masked off.
  saved = process.umask(0);
});
afterEach(() => void process.umask(saved));

async function vaultInOpenFolder() {
  const dir = tempDir();
  chmodSync(dir, 0o777);
  const path = join(dir, 'vault.db');
  const session = await Session.create(path, TEST_PASSWORD, { kdfTargetMs: 10 });
  await session.invoke('createKey', { key_alias: 'k' }, 'cli');
  return { session, path, dir };
}

describe('file modes', () => {
  it('creates the vault, -wal and -shm 0600 under umask 000 in a 0777 folder', async () => {
    const { session, path } = await vaultInOpenFolder();
    expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`), mode(`${path}.audit-head`)]).toEqual(['600', '600', '600', '600']);
    session.close();
  });

  it('writes backups 0600, and a restore from a 0644 copy leaves the vault 0600', async () => {
    const { session, path, dir } = await vaultInOpenFolder();
    const out = join(dir, 'backup.db');
    await session.invoke('vaultBackup', { out }, 'cli');
    session.close();
    expect(mode(out)).toBe('600');
    chmodSync(out, 0o644);
    await restoreVault(out, path, TEST_PASSWORD);
    expect(mode(path)).toBe('600');
  });

  it('sets 0600 again when it opens a vault whose files are 0644', async () => {
    const { session, path } = await vaultInOpenFolder();
    session.close();
    chmodSync(path, 0o644);
    const s = await Session.open(path, { password: TEST_PASSWORD });
    expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual(['600', '600', '600']);
    s.close();
  });
});
