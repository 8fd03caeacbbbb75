/**
 * Backup and restore of the vault file. A backup is SQLite's online backup of the live
 * database (consistent while other connections write). Restore replaces the vault file
 * atomically (copy beside it, fsync, rename) after the caller has verified the backup.
 */
import { closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Vault } from './vault.js';

export async function backupVault(vault: Vault, out: string): Promise<{ backup: string; bytes: number }> {
  try {
    statSync(out);
    throw new KeyholdError(LocalErrors.BadArgument, `Invalid parameter out: ${out} already exists; choose a new file.`, 400);
  } catch (e) {
    if (e instanceof KeyholdError) throw e;
  }
  await vault.db.backup(out);
  return { backup: out, bytes: statSync(out).size };
}

/** Puts `backupPath` in place of the vault at `vaultPath`. The vault must not be open elsewhere. */
export function replaceVaultFile(backupPath: string, vaultPath: string): void {
  const tmp = `${vaultPath}.restore-${process.pid}.tmp`;
  try {
    copyFileSync(backupPath, tmp);
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The old database's WAL must not be replayed onto the restored file.
    rmSync(`${vaultPath}-wal`, { force: true });
    rmSync(`${vaultPath}-shm`, { force: true });
    renameSync(tmp, vaultPath);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof KeyholdError) throw e;
    throw new KeyholdError(LocalErrors.BackupInvalid, `The backup could not be put in place: ${(e as Error).message}.`, 500);
  }
}
