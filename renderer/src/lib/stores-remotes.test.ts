import { describe, expect, it } from 'vitest';
import type { Client } from './api.js';
import { AgentKeysManager } from './agent-keys.svelte.js';
import { KeyDataManager } from './key-data.svelte.js';
import { KeyStoresManager, storeLabel } from './key-stores.svelte.js';
import { RemotesManager } from './remotes.svelte.js';
import { scripted } from '../testing/fake-transport.js';

/** The same scripted backend, seen as the web page (HTTP) instead of the desktop app. */
function asWeb(client: Client): Client {
  Object.defineProperty(client, 'kind', { get: () => 'http' });
  return client;
}

const store = (availability: 'available' | 'unavailable' | 'disabled') => ({
  keystore_id: '11111111-2222-3333-4444-555555555555',
  domain_id: 'd',
  keystore_alias: 'yubihsm',
  keystore_type: 'PKCS11' as const,
  pkcs11_module: '/usr/lib/yubihsm_pkcs11.so',
  token_label: 't',
  token_serial: 's',
  keystore_state: availability === 'disabled' ? ('DISABLED' as const) : ('ENABLED' as const),
  availability,
  create_time: '0',
});

describe('KeyStoresManager', () => {
  it("names a key's store, and says when its token cannot be used", () => {
    expect(storeLabel(undefined, '0')).toBe('Keyhold');
    expect(storeLabel(store('available'), store('available').keystore_id)).toBe('yubihsm');
    expect(storeLabel(store('unavailable'), store('unavailable').keystore_id)).toBe('yubihsm (unavailable)');
    expect(storeLabel(undefined, '99999999-2222-3333-4444-555555555555')).toBe('unknown store 99999999');
  });

  it('creates a PKCS#11 store only with a module token from the open dialog, spending it once', async () => {
    const { client, calls } = scripted({
      'dialog.open-file': () => ({ token: 'tok-1', name: 'libsofthsm2.so' }),
      createKeyStore: () => ({ keystore: store('available') }),
      listKeyStores: () => ({ keystores: [store('available')], total: 1 }),
    });
    const m = new KeyStoresManager(client);
    expect(m.canCreate).toBe(true);
    expect(await m.create({ alias: 'hsm', tokenLabel: 't', pin: '1234' })).toBe(false);
    await m.chooseModule();
    expect(await m.create({ alias: ' hsm ', tokenLabel: 't', pin: '1234' })).toBe(true);
    expect(calls.find((c) => c.op === 'createKeyStore')?.input).toEqual({
      keystore_alias: 'hsm',
      keystore_type: 'PKCS11',
      pkcs11_module: 'tok-1',
      token_label: 't',
      pin: '1234',
    });
    expect(m.module).toBeNull();
    expect(m.stores).toHaveLength(1);
  });

  it('offers no creation in web mode', () => {
    expect(new KeyStoresManager(asWeb(scripted({}).client)).canCreate).toBe(false);
  });

  it('enables, disables and deletes through the key-store operations', async () => {
    const { client, calls } = scripted({
      enableKeyStore: () => ({}),
      disableKeyStore: () => ({}),
      deleteKeyStore: () => ({}),
      listKeyStores: () => ({ keystores: [], total: 0 }),
    });
    const m = new KeyStoresManager(client);
    await m.setEnabled('k', false);
    await m.setEnabled('k', true);
    await m.remove('k');
    expect(calls.filter((c) => c.op !== 'listKeyStores').map((c) => c.op)).toEqual(['disableKeyStore', 'enableKeyStore', 'deleteKeyStore']);
  });
});

describe('RemotesManager: this Keyhold and remote byok', () => {
  it("loads this vault's project id with the remotes", async () => {
    const { client } = scripted({
      vaultShow: () => ({ project_id: 'ab'.repeat(16), domain_id: 'cd'.repeat(16) }),
      remoteList: () => ({ remotes: [] }),
      remoteListMirroredKeys: () => ({ keys: [] }),
    });
    const m = new RemotesManager(client);
    await m.load();
    expect(m.identity?.project_id).toBe('ab'.repeat(16));
  });

  it('sends the dialog tokens once: a chosen material file, or an escrow copy of generated material', async () => {
    const { client, calls } = scripted({
      'dialog.save-file': () => ({ token: 'save-1', name: 'material.bin' }),
      remoteByok: () => ({ key_id: 'k', remote: 'hw', wrapping_algorithm: 'RSAES_OAEP_SHA_256', material_source: 'generated', material_out: '/x' }),
    });
    const m = new RemotesManager(client);
    expect(m.byokAvailable).toBe(true);
    await m.chooseEscrow();
    await m.byok({ remote: 'hw', keyId: ' k ', wrappingAlgorithm: 'RSAES_OAEP_SHA_256', expirationTime: null });
    expect(calls.at(-1)).toEqual({ op: 'remoteByok', input: { name: 'hw', key_id: 'k', wrapping_algorithm: 'RSAES_OAEP_SHA_256', material_out: 'save-1' } });
    expect(m.escrow).toBeNull();
    expect(m.byokDone).toMatch(/newly generated material into k on hw/);
    expect(new RemotesManager(asWeb(scripted({}).client)).byokAvailable).toBe(false);
  });
});

describe('AgentKeysManager', () => {
  it('sets what keyhold agent offers and keeps the answer', async () => {
    const key = {
      keypair_name: 'work',
      offered: false,
      allow_sha1: false,
      host_keys: [],
      hosted: true,
      key_type: 'ssh-ed25519',
      fingerprint: 'SHA256:x',
      public_key: 'ssh-ed25519 AAAA',
    };
    const { client, calls } = scripted({
      sshAgentListKeys: () => ({ keys: [key] }),
      sshAgentSetKey: (i) => ({ key: { ...key, offered: i.offered, host_keys: i.host_keys } }),
    });
    const m = new AgentKeysManager(client);
    await m.load();
    await m.set('work', { offered: true, allowSha1: false, hostKeys: ['SHA256:h'] });
    expect(calls.at(-1)?.input).toEqual({ keypair_name: 'work', offered: true, allow_sha1: false, host_keys: ['SHA256:h'] });
    expect(m.keys[0]).toMatchObject({ offered: true, host_keys: ['SHA256:h'] });
  });
});

describe('KeyDataManager: data keys the user brings', () => {
  it('sends the key followed by its SHA-256 (a published vector) and its length in bytes', async () => {
    const { client, calls } = scripted({ encryptDatakey: () => ({ key_id: 'k', cipher_text: 'c0ffee', datakey_length: '32' }) });
    const m = new KeyDataManager(client);
    await m.encryptDataKey('k', '00'.repeat(32));
    // SHA-256 of 32 zero bytes.
    expect(calls[0]?.input).toEqual({
      key_id: 'k',
      plain_text: '00'.repeat(32) + '66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925',
      datakey_plain_length: '32',
    });
    expect(m.encryptedDataKey).toBe('c0ffee');
  });

  it('refuses text that is not hex without calling the vault', async () => {
    const { client, calls } = scripted({});
    const m = new KeyDataManager(client);
    await m.encryptDataKey('k', 'xyz');
    expect(calls).toEqual([]);
    expect(m.task.error).toMatch(/hex/);
  });

  it('creates a data key without its plaintext on request', async () => {
    const { client, calls } = scripted({ createDatakeyWithoutPlaintext: () => ({ key_id: 'k', cipher_text: 'ab' }) });
    const m = new KeyDataManager(client);
    await m.createDataKey('k', 256, false);
    expect(calls[0]?.op).toBe('createDatakeyWithoutPlaintext');
    expect(m.dataKey).toEqual({ plainHex: '', cipherHex: 'ab', bits: 256 });
  });
});

describe('KeysManager: the store a key is created in', () => {
  it("sends keystore_id for a PKCS#11 store and leaves it out for Keyhold's own", async () => {
    const { KeysManager } = await import('./keys.svelte.js');
    const info = {
      key_id: 'k1',
      key_alias: 'a',
      key_state: '2' as const,
      key_usage: 'ENCRYPT_DECRYPT',
      default_key_flag: '0' as const,
      key_spec: 'AES_256',
      keystore_id: '0',
    };
    const { client, calls } = scripted({
      createKey: () => ({ key_info: info }),
      listKeys: () => ({ key_details: [info], truncated: 'false' }),
      describeKey: () => ({ key_info: info }),
      showUserQuotas: () => ({ quotas: { resources: [] } }),
      listKmsTags: () => ({ tags: [] }),
      getKeyRotationStatus: () => ({ key_rotation_enabled: false, rotation_interval: 365, last_rotation_time: '', number_of_rotations: 0 }),
    });
    const m = new KeysManager(client);
    await m.create({ alias: 'in-hsm', description: '', spec: 'AES_256', keystoreId: store('available').keystore_id });
    await m.create({ alias: 'own', description: '', spec: 'AES_256', keystoreId: '0' });
    const creates = calls.filter((c) => c.op === 'createKey').map((c) => c.input as Record<string, unknown>);
    expect(creates[0]?.keystore_id).toBe(store('available').keystore_id);
    expect(creates[1]).not.toHaveProperty('keystore_id');
  });
});
