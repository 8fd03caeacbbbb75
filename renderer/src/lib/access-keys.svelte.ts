/**
 * Access keys (AK/SK) for `keyhold serve` and for other Keyholds syncing with this one. The
 * secret key exists on screen once, right after creation; Keyhold never shows it again. Every
 * change (create, disable/enable, delete) takes the master password again, in the desktop app
 * and in web mode alike: an access key outlives the session that made it.
 */
import type { AccessKeyInfo } from '../../../shared/operations/index.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export class AccessKeysManager {
  keys = $state<AccessKeyInfo[]>([]);
  /** The just-created credential, until the user confirms they saved the secret. */
  created = $state<{ access: string; secret: string } | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.keys = (await this.client.call('listAccessKeys', {})).credentials;
    });
  }

  async create(description: string, currentPassword: string): Promise<void> {
    await this.task.run(async () => {
      const { credential } = await this.client.call('createAccessKey', { description, current_password: currentPassword });
      this.created = { access: credential.access, secret: credential.secret };
      this.keys = (await this.client.call('listAccessKeys', {})).credentials;
    });
  }

  async setActive(access: string, active: boolean, currentPassword: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('updateAccessKey', { access, status: active ? 'active' : 'inactive', current_password: currentPassword });
      this.keys = (await this.client.call('listAccessKeys', {})).credentials;
    });
  }

  async remove(access: string, currentPassword: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteAccessKey', { access, current_password: currentPassword });
      this.keys = (await this.client.call('listAccessKeys', {})).credentials;
    });
  }

  /** The secret leaves the screen (and this object) for good. */
  dismissSecret(): void {
    this.created = null;
  }

  onLock(): void {
    this.keys = [];
    this.created = null;
    this.task.error = null;
  }
}
