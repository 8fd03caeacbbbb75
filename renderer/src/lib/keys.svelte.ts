/** The Keys screen: the list, one key's details, and the state changes the local KMS offers today. */
import type { KeyDetails } from '../../../shared/operations/index.js';
import type { KeySpec } from '../../../shared/constants.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export const KEY_STATE_LABELS: Readonly<Record<string, string>> = {
  '1': 'Pending activation',
  '2': 'Enabled',
  '3': 'Disabled',
  '4': 'Pending deletion',
  '5': 'Pending import',
};

export interface NewKey {
  alias: string;
  description: string;
  spec: KeySpec;
}

export class KeysManager {
  keys = $state<KeyDetails[]>([]);
  selected = $state<KeyDetails | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  /** Keys the user made, then the default keys Keyhold made. */
  get sorted(): KeyDetails[] {
    return [...this.keys].sort((a, b) => Number(a.default_key_flag) - Number(b.default_key_flag) || a.key_alias.localeCompare(b.key_alias));
  }

  /** Keys that can encrypt right now (enabled, symmetric). */
  get usableForEncryption(): KeyDetails[] {
    return this.sorted.filter((k) => k.key_state === '2' && k.key_usage === 'ENCRYPT_DECRYPT');
  }

  async load(): Promise<void> {
    await this.task.run(async () => {
      const res = await this.client.call('listKeys', { key_spec: 'ALL', limit: '1000' });
      this.keys = res.key_details;
      if (this.selected) this.selected = this.keys.find((k) => k.key_id === this.selected?.key_id) ?? null;
    });
  }

  async create(k: NewKey): Promise<string | undefined> {
    return this.task.run(async () => {
      const res = await this.client.call('createKey', { key_alias: k.alias.trim(), key_description: k.description, key_spec: k.spec });
      await this.reload(res.key_info.key_id);
      return res.key_info.key_id;
    });
  }

  async select(keyId: string): Promise<void> {
    await this.task.run(async () => {
      this.selected = (await this.client.call('describeKey', { key_id: keyId })).key_info;
    });
  }

  async setEnabled(keyId: string, enabled: boolean): Promise<void> {
    await this.task.run(async () => {
      if (enabled) await this.client.call('enableKey', { key_id: keyId });
      else await this.client.call('disableKey', { key_id: keyId });
      await this.reload(keyId);
    });
  }

  private async reload(selectId: string): Promise<void> {
    this.keys = (await this.client.call('listKeys', { key_spec: 'ALL', limit: '1000' })).key_details;
    this.selected = this.keys.find((k) => k.key_id === selectId) ?? null;
  }
}
