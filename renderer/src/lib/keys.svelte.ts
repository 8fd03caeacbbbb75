/** The Keys screen: the list, one key's details, and the state changes the local KMS offers today. */
import type { KeyDetails } from '../../../shared/operations/index.js';
import type { KeySpec, KeyUsage } from '../../../shared/constants.js';
import { KEY_SPEC_RULES, KEY_STATE } from '../../../shared/key-specs.js';
import type { Client } from './api.js';
import { KeyStoresManager, OWN_STORE } from './key-stores.svelte.js';
import { ListView } from './list-view.svelte.js';
import { Task } from './task.svelte.js';

export { KEY_STATE };

export const KEY_STATE_LABELS: Readonly<Record<string, string>> = {
  [KEY_STATE.pendingActivation]: 'Pending activation',
  [KEY_STATE.enabled]: 'Enabled',
  [KEY_STATE.disabled]: 'Disabled',
  [KEY_STATE.pendingDeletion]: 'Pending deletion',
  [KEY_STATE.pendingImport]: 'Pending import',
};

export interface NewKey {
  alias: string;
  description: string;
  spec: KeySpec;
  /** Only RSA keys have a choice (encrypt/decrypt or sign/verify); the rest follow their spec. */
  usage?: KeyUsage;
  /** `external`: the key waits for material the user brings (BYOK). */
  origin?: 'kms' | 'external';
  /** The key store to create it in: "0" (or absent) is Keyhold's own. */
  keystoreId?: string;
}

/** What a key of this spec may be for (the core's rule, shared/key-specs.ts). */
export function usagesOf(spec: KeySpec): readonly KeyUsage[] {
  return KEY_SPEC_RULES[spec].usages;
}

/** Whether encrypt-data with the symmetric default works on this key (enabled, symmetric, for encryption). */
export function encryptsData(k: KeyDetails): boolean {
  const rules = KEY_SPEC_RULES[k.key_spec as KeySpec];
  return k.key_state === KEY_STATE.enabled && k.key_usage === 'ENCRYPT_DECRYPT' && rules !== undefined && rules.encryption.includes('SYMMETRIC_DEFAULT');
}

export interface RotationStatus {
  enabled: boolean;
  interval: number;
  lastRotation: string;
  rotations: number;
}

export interface KeyQuota {
  used: number;
  quota: number;
}

export class KeysManager {
  keys = $state<KeyDetails[]>([]);
  selected = $state<KeyDetails | null>(null);
  rotation = $state<RotationStatus | null>(null);
  quota = $state<KeyQuota | null>(null);
  /** Every tag key in use with its values, for the tag filter. */
  tagOptions = $state<{ key: string; values: string[] }[]>([]);
  /** The chosen tag filter (`key=value`), and the ids of the keys carrying that tag. */
  tagFilter = $state('');
  #tagged = $state<ReadonlySet<string>>(new Set());
  readonly task = new Task();
  /** The list as shown: search by alias, id or description; filter by spec and state; sort by column. */
  readonly view = new ListView<KeyDetails>(() => this.sorted, {
    searchable: (k) => [k.key_alias, k.key_id, k.key_description],
    sortBy: {
      alias: (k) => k.key_alias,
      spec: (k) => k.key_spec,
      state: (k) => KEY_STATE_LABELS[k.key_state] ?? k.key_state,
      created: (k) => Number(k.creation_date),
    },
    filterBy: { spec: (k) => k.key_spec, state: (k) => k.key_state, usage: (k) => k.key_usage, tag: (k) => (this.#tagged.has(k.key_id) ? 'tagged' : '') },
    defaultSort: 'alias',
  });

  /** Where keys live (issue 23): the list of key stores, and the store of each key. */
  readonly stores: KeyStoresManager;

  constructor(private readonly client: Client) {
    this.stores = new KeyStoresManager(client);
  }

  /** Keys the user made, then the default keys Keyhold made. */
  get sorted(): KeyDetails[] {
    return [...this.keys].sort((a, b) => Number(a.default_key_flag) - Number(b.default_key_flag) || a.key_alias.localeCompare(b.key_alias));
  }

  /** Keys that can encrypt right now (enabled, symmetric). */
  get usableForEncryption(): KeyDetails[] {
    return this.sorted.filter(encryptsData);
  }

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.keys = await this.allKeys();
      if (this.selected) this.selected = this.keys.find((k) => k.key_id === this.selected?.key_id) ?? null;
      await this.loadQuota();
      await this.loadTagOptions();
    });
  }

  /** The tag filter's choices, again after a tag was added or removed. */
  async loadTagOptions(): Promise<void> {
    this.tagOptions = (await this.client.call('listKmsTags', {})).tags;
  }

  /** Shows only the keys carrying the tag `key=value` ('' shows all), as list-kms-by-tags finds them. */
  async filterByTag(tag: string): Promise<void> {
    this.tagFilter = tag;
    if (!tag) {
      this.#tagged = new Set();
      this.view.setFilter('tag', '');
      return;
    }
    const eq = tag.indexOf('=');
    const key = tag.slice(0, eq);
    const value = tag.slice(eq + 1);
    await this.task.run(async () => {
      const ids = new Set<string>();
      for (let offset = 0; ; offset += 1000) {
        const res = await this.client.call('listKmsByTags', { action: 'filter', limit: '1000', offset: String(offset), tags: [{ key, values: [value] }] });
        for (const r of res.resources ?? []) ids.add(r.resource_id);
        if (!res.resources || res.resources.length < 1000) break;
      }
      this.#tagged = ids;
      this.view.setFilter('tag', 'tagged');
    });
  }

  /** Raises (or lowers) how many custom keys this vault may hold (the cloud's default is 20). */
  async setQuota(quota: number): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('updateUserQuotas', { cmk_quota: String(quota) });
      await this.loadQuota();
    });
  }

  /** Every key, page by page (the cloud's pages hold at most 1000). */
  private async allKeys(): Promise<KeyDetails[]> {
    const all: KeyDetails[] = [];
    let marker: string | undefined;
    for (;;) {
      const res = await this.client.call('listKeys', { key_spec: 'ALL', limit: '1000', ...(marker ? { marker } : {}) });
      all.push(...res.key_details);
      if (res.truncated !== 'true' || !res.next_marker) return all;
      marker = res.next_marker;
    }
  }

  private async loadQuota(): Promise<void> {
    const cmk = (await this.client.call('showUserQuotas', {})).quotas.resources.find((r) => r.type === 'CMK');
    this.quota = cmk ? { used: cmk.used, quota: cmk.quota } : null;
  }

  async create(k: NewKey): Promise<string | undefined> {
    return this.task.run(async () => {
      const usage = usagesOf(k.spec).length > 1 ? k.usage : undefined;
      const external = k.origin === 'external';
      const res = await this.client.call('createKey', {
        key_alias: k.alias.trim(),
        key_description: k.description,
        key_spec: k.spec,
        ...(usage ? { key_usage: usage } : {}),
        ...(external ? { origin: 'external' as const } : {}),
        ...(k.keystoreId && k.keystoreId !== OWN_STORE ? { keystore_id: k.keystoreId } : {}),
      });
      await this.reload(res.key_info.key_id);
      return res.key_info.key_id;
    });
  }

  async select(keyId: string): Promise<void> {
    await this.task.run(async () => {
      this.selected = (await this.client.call('describeKey', { key_id: keyId })).key_info;
      await this.loadRotation();
    });
  }

  async scheduleDeletion(keyId: string, days: number): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('scheduleKeyDeletion', { key_id: keyId, pending_days: String(days) });
      await this.reload(keyId);
    });
  }

  async cancelDeletion(keyId: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('cancelKeyDeletion', { key_id: keyId });
      await this.reload(keyId);
    });
  }

  async setRotation(keyId: string, enabled: boolean, intervalDays?: number): Promise<void> {
    await this.task.run(async () => {
      if (!enabled) await this.client.call('disableKeyRotation', { key_id: keyId });
      else {
        await this.client.call('enableKeyRotation', { key_id: keyId });
        if (intervalDays !== undefined) await this.client.call('updateKeyRotationInterval', { key_id: keyId, rotation_interval: intervalDays });
      }
      await this.reload(keyId);
    });
  }

  async rotateNow(keyId: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('rotateOnDemand', { key_id: keyId });
      await this.reload(keyId);
    });
  }

  /** Rotation applies to symmetric keys only, as in the cloud. */
  private async loadRotation(): Promise<void> {
    const k = this.selected;
    if (!k || k.key_spec !== 'AES_256' || k.default_key_flag === '1') {
      this.rotation = null;
      return;
    }
    const r = await this.client.call('getKeyRotationStatus', { key_id: k.key_id });
    this.rotation = { enabled: r.key_rotation_enabled, interval: r.rotation_interval, lastRotation: r.last_rotation_time, rotations: r.number_of_rotations };
  }

  /** A new alias and description (update-key-alias / update-key-description), only what changed. */
  async edit(keyId: string, alias: string, description: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      const current = this.keys.find((k) => k.key_id === keyId);
      if (current && alias.trim() !== current.key_alias) await this.client.call('updateKeyAlias', { key_id: keyId, key_alias: alias.trim() });
      if (current && description !== current.key_description) await this.client.call('updateKeyDescription', { key_id: keyId, key_description: description });
      await this.reload(keyId);
      return true;
    });
    return done === true;
  }

  async setEnabled(keyId: string, enabled: boolean): Promise<void> {
    await this.task.run(async () => {
      if (enabled) await this.client.call('enableKey', { key_id: keyId });
      else await this.client.call('disableKey', { key_id: keyId });
      await this.reload(keyId);
    });
  }

  private async reload(selectId: string): Promise<void> {
    this.keys = await this.allKeys();
    await this.loadQuota();
    this.selected = this.keys.find((k) => k.key_id === selectId) ?? null;
    await this.loadRotation();
  }

  onLock(): void {
    this.keys = [];
    this.selected = null;
    this.rotation = null;
    this.quota = null;
    this.tagOptions = [];
    this.tagFilter = '';
    this.#tagged = new Set();
    this.task.error = null;
  }
}
