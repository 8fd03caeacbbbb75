/**
 * Backup and restore of the vault file. A backup is SQLite's online backup of the live
 * database (consistent while other connections write). Restore replaces the vault file
 * atomically (copy beside it, fsync, rename) after the caller has verified the backup.
 */
import { chmodSync, closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { OWNER_ONLY, ownerOnly } from './db.js';
import type { Vault } from './vault.js';

/** Writes the backup into a file created here, 0600 (it holds the wrapped root key), never over one. */
export async function backupVault(vault: Vault, out: string): Promise<{ backup: string; bytes: number }> {
  try {
    closeSync(openSync(out, 'wx', OWNER_ONLY));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new KeyholdError(LocalErrors.BadArgument, `Invalid parameter out: ${out} already exists; choose a new file.`, 400);
    throw new KeyholdError(
      LocalErrors.BadArgument,
      `Invalid parameter out: ${out} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
      400,
    );
  }
  try {
    ownerOnly(out);
    await vault.db.backup(out);
  } catch (e) {
    rmSync(out, { force: true });
    throw e;
  }
  return { backup: out, bytes: statSync(out).size };
}

/** Puts `backupPath` in place of the vault at `vaultPath`. The vault must not be open elsewhere. */
export function replaceVaultFile(backupPath: string, vaultPath: string): void {
  const tmp = `${vaultPath}.restore-${process.pid}.tmp`;
  try {
    copyFileSync(backupPath, tmp);
    // A copy takes the backup file's mode; the vault is the owner's alone.
    chmodSync(tmp, OWNER_ONLY);
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
