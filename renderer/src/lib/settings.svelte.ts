/** Settings that act on the vault: verify it, change its master password. */
import type { Client } from './api.js';
import { passwordRule, TOO_SHORT } from './password-rule.js';
import { Task } from './task.svelte.js';

export class SettingsManager {
  verified = $state<{ records: number; entries: number } | null>(null);
  passwordChanged = $state(false);
  readonly task = new Task();

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

  onLock(): void {
    this.verified = null;
    this.passwordChanged = false;
    this.task.error = null;
  }
}
