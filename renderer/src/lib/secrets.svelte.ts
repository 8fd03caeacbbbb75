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

  private async refresh(name: string): Promise<void> {
    this.selected = (await this.client.call('showSecret', { secret_name: name })).secret;
    this.versions = (await this.client.call('listSecretVersions', { secret_name: name, limit: 1000 })).version_metadatas;
    this.secrets = this.secrets.map((s) => (s.name === name && this.selected ? this.selected : s));
  }
}
