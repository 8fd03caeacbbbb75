/**
 * Key stores (issue 23, docs/hsm.md): where a CMK's material lives. "0" is Keyhold's own
 * (software) store; a PKCS#11 key store is a token reached through a module on this machine.
 * The list says whether each token answers now ("unavailable" with the reason while it is gone).
 * Creating one loads a shared library and so is desktop-only: the module is chosen in the OS
 * open dialog (a single-use token, never a typed path), and web mode refuses it by design.
 */
import type { KeyStoreInfo } from '../../../shared/operations/kms.js';
import type { ChosenFile } from '../../../shared/ui/contract.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export const OWN_STORE = '0';

export interface NewKeyStore {
  alias: string;
  tokenLabel: string;
  pin: string;
}

/** What a key store is called in lists: its alias, and whether its token can be used now. */
export function storeLabel(store: KeyStoreInfo | undefined, id: string): string {
  if (id === OWN_STORE) return 'Keyhold';
  if (!store) return `unknown store ${id.slice(0, 8)}`;
  return store.availability === 'available' ? store.keystore_alias : `${store.keystore_alias} (${store.availability})`;
}

export class KeyStoresManager {
  stores = $state<KeyStoreInfo[]>([]);
  /** The PKCS#11 module the user picked in the open dialog: its name to show, its token to send. */
  module = $state<ChosenFile | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  /** Creating needs the desktop app's open dialog for the module; web mode cannot name a library by path. */
  get canCreate(): boolean {
    return this.client.kind === 'ipc';
  }

  byId(id: string): KeyStoreInfo | undefined {
    return this.stores.find((s) => s.keystore_id === id);
  }

  async load(): Promise<void> {
    await this.task.run(() => this.reload());
  }

  async chooseModule(): Promise<void> {
    await this.task.run(async () => {
      const picked = await this.client.call('dialog.open-file', { title: 'Choose the PKCS#11 module (.so, .dll or .dylib)' });
      this.module = picked.token ? picked : null;
    });
  }

  async create(s: NewKeyStore): Promise<boolean> {
    const token = this.module?.token;
    if (!token) return false;
    const done = await this.task.run(async () => {
      // The token is single-use: a failed create needs the module chosen again.
      this.module = null;
      await this.client.call('createKeyStore', {
        keystore_alias: s.alias.trim(),
        keystore_type: 'PKCS11',
        pkcs11_module: token,
        token_label: s.tokenLabel,
        pin: s.pin,
      });
      await this.reload();
      return true;
    });
    return done === true;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.task.run(async () => {
      await this.client.call(enabled ? 'enableKeyStore' : 'disableKeyStore', { keystore_id: id });
      await this.reload();
    });
  }

  /** Asks the token again (show-key-store): a store comes back by itself once its token answers. */
  async refresh(id: string): Promise<void> {
    await this.task.run(async () => {
      const { keystore } = await this.client.call('showKeyStore', { keystore_id: id });
      this.stores = this.stores.map((s) => (s.keystore_id === id ? keystore : s));
    });
  }

  async remove(id: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteKeyStore', { keystore_id: id });
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    this.stores = (await this.client.call('listKeyStores', {})).keystores;
  }

  onLock(): void {
    this.stores = [];
    this.module = null;
    this.task.error = null;
  }
}
