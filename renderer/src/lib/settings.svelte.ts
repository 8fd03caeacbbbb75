/**
 * Settings that act on the vault: verify it, change its master password, back it up and
 * restore it. Desktop: the backup is written where the save dialog says and a restore reads the
 * file the open dialog picked (tokens, never paths). Web mode: the backup is a download and a
 * restore an upload (uploads.ts). A restore replaces the whole vault: it takes the current
 * master password and the backup's own, and leaves the vault locked.
 */
import { UiError, type Client } from './api.js';
import { passwordRule, TOO_SHORT } from './password-rule.js';
import { Task } from './task.svelte.js';
import { runFileJob, saveDownload } from './uploads.js';

/** What a backup file is called when saved: the vault and the day, e.g. keyhold-backup-2026-12-03.db. */
export function backupName(now = new Date()): string {
  return `keyhold-backup-${now.toISOString().slice(0, 10)}.db`;
}

export class SettingsManager {
  verified = $state<{ records: number; entries: number } | null>(null);
  passwordChanged = $state(false);
  backedUp = $state<string | null>(null);
  /** The backup chosen for a restore: a dialog's token (desktop) or the file itself (web mode). */
  restoreFrom = $state<{ token: string; name: string } | File | null>(null);
  readonly task = new Task();
  readonly backupTask = new Task();

  constructor(private readonly client: Client) {}

  async verifyVault(): Promise<void> {
    this.verified = null;
    await this.task.run(async () => {
      const res = await this.client.call('vaultVerify', {});
      this.verified = { records: res.records, entries: res.entries };
    });
  }

  async changePassword(current: string, next: string, repeat: string): Promise<boolean> {
    this.passwordChanged = false;
    if (!current) {
      this.task.error = 'Enter the current master password.';
      return false;
    }
    if (!passwordRule(next).met) {
      this.task.error = TOO_SHORT;
      return false;
    }
    if (next !== repeat) {
      this.task.error = 'The two passwords differ.';
      return false;
    }
    const res = await this.task.run(() => this.client.call('vaultChangePassword', { current_password: current, new_password: next }));
    this.passwordChanged = res?.changed === true;
    return this.passwordChanged;
  }

  /** Desktop: where the save dialog says; web mode: a download, with the current password again (the backup is the whole vault). */
  async backup(current = ''): Promise<void> {
    this.backedUp = null;
    if (this.client.kind !== 'ipc' && !current) {
      this.backupTask.error = 'Enter the current master password to download a backup.';
      return;
    }
    await this.backupTask.run(async () => {
      const name = backupName();
      if (this.client.kind === 'ipc') {
        const to = await this.client.call('dialog.save-file', { title: 'Save the vault backup as', default_name: name });
        if (!to.token) return;
        const r = await this.client.call('vaultBackup', { out: to.token });
        this.backedUp = `Backup written to ${to.name ?? name} (${r.bytes} bytes).`;
        return;
      }
      const r = await runFileJob('backup', null, { current_password: current });
      if (!r.download) throw new UiError('KEYHOLD.0500', 'The server made no backup to download.');
      saveDownload(r.download.id, name);
      this.backedUp = `Backup downloading as ${name} (${r.download.bytes} bytes).`;
    });
  }

  /** Desktop: picks the backup file in the open dialog (its token is spent by the restore). */
  async pickBackup(): Promise<void> {
    const c = await this.client.call('dialog.open-file', { title: 'Choose the vault backup to restore' });
    if (c.token && c.name !== null) this.restoreFrom = { token: c.token, name: c.name };
  }

  /**
   * Replaces the vault with the chosen backup; true once it is restored (the vault is locked
   * then and opens with the backup's password). A refused backup leaves the vault as it was.
   */
  async restore(current: string, backupPassword: string): Promise<boolean> {
    const from = this.restoreFrom;
    if (!from) {
      this.backupTask.error = 'Choose the backup file first.';
      return false;
    }
    if (!current) {
      this.backupTask.error = 'Enter the current master password.';
      return false;
    }
    if (!backupPassword) {
      this.backupTask.error = "Enter the backup's master password (the one the vault had when the backup was made).";
      return false;
    }
    // A dialog's token works once: the file is chosen again for another try (an upload's file stays).
    if (!(from instanceof Blob)) this.restoreFrom = null;
    const done = await this.backupTask.run(async () => {
      if (from instanceof Blob) await runFileJob('restore', from, { current_password: current, backup_password: backupPassword });
      else await this.client.call('session.restore', { backup: from.token, current_password: current, backup_password: backupPassword });
      return true;
    });
    return done === true;
  }

  onLock(): void {
    this.verified = null;
    this.passwordChanged = false;
    this.backedUp = null;
    this.restoreFrom = null;
    this.task.error = null;
    this.backupTask.error = null;
  }
}
