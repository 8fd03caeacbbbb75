/** The tags of one key (create-kms-tag, delete-tag, show-kms-tags), as the cloud console shows them. */
import type { TagItem } from '../../../shared/operations/kms/tags.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export class KeyTagsManager {
  keyId = $state('');
  tags = $state<TagItem[]>([]);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async load(keyId: string): Promise<void> {
    this.keyId = keyId;
    this.tags = [];
    await this.task.run(() => this.reload());
  }

  async add(key: string, value: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('createKmsTag', { key_id: this.keyId, tag: { key: key.trim(), value: value.trim() } });
      await this.reload();
      return true;
    });
    return done === true;
  }

  async remove(key: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteTag', { key_id: this.keyId, key });
      await this.reload();
    });
  }

  /** Removes every tag of the key in one call (batch-create-kms-tags, action delete). */
  async removeAll(): Promise<void> {
    if (this.tags.length === 0) return;
    await this.task.run(async () => {
      await this.client.call('batchCreateKmsTags', { key_id: this.keyId, action: 'delete', tags: this.tags.map((t) => ({ key: t.key, value: t.value })) });
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    this.tags = (await this.client.call('showKmsTags', { key_id: this.keyId })).tags;
  }

  onLock(): void {
    this.keyId = '';
    this.tags = [];
    this.task.error = null;
  }
}
