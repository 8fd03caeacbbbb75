/**
 * Journey 3: decrypt a cloud Windows server's password with a key pair the vault hosts: the
 * blob pasted, or fetched from a remote's ECS by server id. Both operations can also read key
 * files by path, so they are offered in the desktop app only.
 */
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export class WindowsPasswordManager {
  source = $state<'paste' | 'remote'>('paste');
  blob = $state('');
  remoteName = $state('');
  serverId = $state('');
  keypairName = $state('');
  password = $state<string | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async decrypt(): Promise<void> {
    this.password = null;
    await this.task.run(async () => {
      const res =
        this.source === 'remote'
          ? await this.client.call('remoteWindowsPassword', { name: this.remoteName, server_id: this.serverId.trim(), keypair_name: this.keypairName })
          : await this.client.call('kpsWindowsPassword', { password_blob: this.blob.replace(/\s+/g, ''), keypair_name: this.keypairName });
      this.password = res.password;
    });
  }

  clear(): void {
    this.blob = '';
    this.password = null;
  }

  onLock(): void {
    this.clear();
    this.remoteName = '';
    this.serverId = '';
    this.keypairName = '';
    this.task.error = null;
  }

  /** The decrypted password stays on its screen, never behind it. */
  onLeave(): void {
    this.password = null;
  }
}
