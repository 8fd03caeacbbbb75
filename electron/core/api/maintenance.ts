/** Vault maintenance that works on files rather than through an open session: restore. */
import { AuditLog } from '../audit/log.js';
import { replaceVaultFile } from '../vault/backup.js';
import { Vault } from '../vault/vault.js';
import { Session } from './session.js';

/**
 * Verifies a backup completely (password, every record, the whole audit chain), then puts it
 * in place of the vault, re-anchors the audit head and records the restore. The password is
 * the one the vault had when the backup was made. The vault must not be open elsewhere.
 */
export async function restoreVault(backupPath: string, vaultPath: string, password: string): Promise<{ vault: string; records: number; entries: number }> {
  const backup = Vault.open(backupPath);
  let records: number;
  let entries: number;
  try {
    await backup.unlock(password);
    const verified = await new AuditLog(backup).verify({ anchored: false, records: true });
    records = verified.records ?? 0;
    entries = verified.entries;
  } finally {
    backup.close();
  }
  replaceVaultFile(backupPath, vaultPath);
  const restored = Vault.open(vaultPath);
  try {
    await restored.unlock(password);
    new AuditLog(restored).anchorNow();
  } finally {
    restored.close();
  }
  const session = await Session.open(vaultPath, { password });
  try {
    await session.noteSystemEvent(`vault restore from ${backupPath}`);
  } finally {
    session.close();
  }
  return { vault: vaultPath, records, entries };
}
