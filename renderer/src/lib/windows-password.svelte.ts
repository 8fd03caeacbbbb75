/**
 * Journey 3: decrypt a cloud Windows server's password blob with a key pair the vault hosts.
 * The operation can also read key files by path, so it is offered in the desktop app only.
 */
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export class WindowsPasswordManager {
  blob = $state('');
  keypairName = $state('');
  password = $state<string | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async decrypt(): Promise<void> {
    this.password = null;
    await this.task.run(async () => {
      const res = await this.client.call('kpsWindowsPassword', { password_blob: this.blob.replace(/\s+/g, ''), keypair_name: this.keypairName });
      this.password = res.password;
    });
  }

  clear(): void {
    this.blob = '';
    this.password = null;
  }
}
