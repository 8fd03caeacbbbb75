/**
 * Secrets (CSMS): the list, one secret's versions and stages, new secrets and versions, stage
 * moves, rotation, scheduled deletion and restore. A version's value is fetched only when the
 * user asks to reveal it, kept in `revealed` until hidden (or the vault locks), and never
 * in the lists.
 */
import type { Secret, VersionMetadata } from '../../../shared/operations/csms.js';
import type { Client } from './api.js';
import { ListView } from './list-view.svelte.js';
import { Task } from './task.svelte.js';

export interface NewSecret {
  name: string;
  value: string;
  description: string;
  /** Empty: the default key csms/default. */
  kmsKeyId: string;
}

export class SecretsManager {
  secrets = $state<Secret[]>([]);
  selected = $state<Secret | null>(null);
  versions = $state<VersionMetadata[]>([]);
  revealed = $state<{ version: string; value: string } | null>(null);
  readonly task = new Task();
  /** The list as shown: search by name or description, filter by state, sort by name or update time. */
  readonly view = new ListView<Secret>(() => this.secrets, {
    searchable: (s) => [s.name, s.description],
    sortBy: { name: (s) => s.name, updated: (s) => s.update_time },
    filterBy: { state: (s) => s.state },
    defaultSort: 'name',
  });

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.secrets = await this.allSecrets();
    });
  }

  /** Every secret, page by page (a page holds at most 1000). */
  private async allSecrets(): Promise<Secret[]> {
    const all: Secret[] = [];
    let marker: string | undefined;
    for (;;) {
      const res = await this.client.call('listSecrets', { limit: 1000, ...(marker ? { marker } : {}) });
      all.push(...res.secrets);
      if (!res.page_info?.next_marker || res.secrets.length === 0) return all;
      marker = res.page_info.next_marker;
    }
  }

  async select(name: string): Promise<void> {
    this.revealed = null;
    await this.task.run(() => this.refresh(name));
  }

  async create(s: NewSecret): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('createSecret', {
        name: s.name.trim(),
        secret_string: s.value,
        description: s.description,
        ...(s.kmsKeyId ? { kms_key_id: s.kmsKeyId } : {}),
      });
      this.secrets = await this.allSecrets();
      await this.refresh(s.name.trim());
      return true;
    });
    return done === true;
  }

  async addVersion(name: string, value: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('createSecretVersion', { secret_name: name, secret_string: value });
      await this.refresh(name);
      return true;
    });
    return done === true;
  }

  async reveal(name: string, version: string): Promise<void> {
    await this.task.run(async () => {
      const { version: v } = await this.client.call('showSecretVersion', { secret_name: name, version_id: version });
      this.revealed = { version, value: v.secret_string ?? v.secret_binary ?? '' };
    });
  }

  hide(): void {
    this.revealed = null;
  }

  async moveStage(name: string, stage: string, version: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('updateSecretStage', { secret_name: name, stage_name: stage.trim(), version_id: version });
      await this.refresh(name);
    });
  }

  /** Sets when a version expires (update-version; SECRET_VERSION_EXPIRED is recorded when it passes). */
  async setVersionExpiry(name: string, version: string, expireAt: number): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('updateVersion', { secret_name: name, version_id: version, expire_time: expireAt });
      await this.refresh(name);
    });
  }

  async deleteStage(name: string, stage: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteSecretStage', { secret_name: name, stage_name: stage });
      await this.refresh(name);
    });
  }

  async rotate(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('rotateSecret', { secret_name: name });
      await this.refresh(name);
    });
  }

  async scheduleDeletion(name: string, days: number): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteSecretForSchedule', { secret_name: name, recovery_window_in_days: days });
      await this.refresh(name);
    });
  }

  async restore(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('restoreSecret', { secret_name: name });
      await this.refresh(name);
    });
  }

  /** Description and event subscription (at most one event; '' unsubscribes). */
  async update(name: string, description: string, eventName: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('updateSecret', { secret_name: name, description, event_subscriptions: eventName ? [eventName] : [] });
      this.secrets = await this.allSecrets();
      await this.refresh(name);
      return true;
    });
    return done === true;
  }

  /** Deletes the secret and every version now (delete-secret): irreversible, unlike a scheduled deletion. */
  async deleteNow(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteSecret', { secret_name: name });
      this.selected = null;
      this.versions = [];
      this.revealed = null;
      this.secrets = await this.allSecrets();
    });
  }

  /** A password from the cloud's generator, for a new secret or version. */
  async generatePassword(length: number, excludePunctuation: boolean): Promise<string | undefined> {
    return this.task.run(async () => (await this.client.call('generateRandomPassword', { length, exclude_punctuation: excludePunctuation })).password);
  }

  /** The secret with every version, sealed for this vault (download-secret-blob): a backup to restore later. */
  async backupBlob(name: string): Promise<string | undefined> {
    return this.task.run(async () => (await this.client.call('downloadSecretBlob', { secret_name: name })).secret_blob);
  }

  /** Restores a secret deleted since its blob was made (upload-secret-blob). */
  async restoreBlob(blob: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      const { secret } = await this.client.call('uploadSecretBlob', { secret_blob: blob.trim() });
      this.secrets = await this.allSecrets();
      await this.refresh(secret.name);
      return true;
    });
    return done === true;
  }

  /** Many secrets at once from a JSON array of create-secret bodies; what failed is listed by name. */
  async batchImport(items: unknown[]): Promise<{ success: number; failed: { name: string; error_msg: string }[] } | undefined> {
    return this.task.run(async () => {
      const res = await this.client.call('batchImportSecrets', { secrets: items });
      this.secrets = await this.allSecrets();
      return { success: res.success, failed: res.error_list };
    });
  }

  private async refresh(name: string): Promise<void> {
    this.selected = (await this.client.call('showSecret', { secret_name: name })).secret;
    this.versions = (await this.client.call('listSecretVersions', { secret_name: name, limit: 1000 })).version_metadatas;
    this.secrets = this.secrets.map((s) => (s.name === name && this.selected ? this.selected : s));
  }

  onLock(): void {
    this.secrets = [];
    this.selected = null;
    this.versions = [];
    this.revealed = null;
    this.task.error = null;
  }

  onLeave(): void {
    this.hide();
  }
}
