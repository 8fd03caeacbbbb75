// Locking wipes every manager: the registry holds every manager class of lib/, each forgets what
// it read from the vault (back to the state of a fresh one), and leaving a screen hides what was
// revealed on it.
import { describe, expect, it } from 'vitest';
import { Fail, scripted } from '../testing/fake-transport.js';
import { browserClipboard, ClipboardManager } from './clipboard.svelte.js';
import { createManagers, leaveAll, lockAll, type Managers } from './managers.js';
import { Task } from './task.svelte.js';

const key = {
  key_id: 'k1',
  key_alias: 'billing-db',
  key_state: '2' as const,
  key_usage: 'ENCRYPT_DECRYPT',
  default_key_flag: '0' as const,
  key_spec: 'AES_256',
};

function build(): { managers: Managers; copied: string[] } {
  const copied: string[] = [];
  const { client } = scripted({
    listKeys: () => ({ key_details: [key], truncated: 'false', total: 1 }),
    showUserQuotas: () => ({ quotas: { resources: [{ type: 'CMK', used: 1, quota: 20 }] } }),
    listKmsTags: () => ({ tags: [{ key: 'team', values: ['billing'] }] }),
    decryptData: () => ({ key_id: 'k1', plain_text: 'the plaintext' }),
    createDatakey: () => ({ key_id: 'k1', plain_text: 'ab'.repeat(32), cipher_text: 'cd'.repeat(60) }),
    showKmsTags: () => ({ tags: [{ key: 'team', value: 'billing' }] }),
    listGrants: () => ({ grants: [{ grant_id: 'g1', key_id: 'k1', grantee_principal: 'u2', operations: ['encrypt-data'] }], total: 1 }),
    getParametersForImport: () => ({ key_id: 'k1', import_token: 'tok', public_key: 'cHVi', expiration_time: 2_000_000_000 }),
    getPublickey: () => ({ key_id: 'k1', public_key: '-----BEGIN PUBLIC KEY-----' }),
    createKeypair: () => ({ keypair: { name: 'ops', private_key: '-----BEGIN PRIVATE KEY-----' } }),
    listKeypairs: () => ({ keypairs: [{ keypair: { name: 'ops', fingerprint: 'SHA256:x' } }] }),
    kpsWindowsPassword: () => ({ password: 'Windows-P4ss' }),
    kpsInspect: () => ({ format: 'openssh-public', key_type: 'ssh-ed25519', fingerprint: 'SHA256:abc', encrypted: false }),
    remoteList: () => ({ remotes: [{ name: 'peer', endpoint: 'http://127.0.0.1:1', project_id: 'p' }] }),
    remoteListMirroredKeys: () => ({ keys: [] }),
    serversList: () => ({ servers: [{ id: 's1', name: 'web1', host: '127.0.0.1', port: 22, user: 'ops' }] }),
    listFailedTask: () => ({ total: 0, tasks: [] }),
    listSecrets: () => ({ secrets: [{ name: 'db-password', state: 'ENABLED' }], page_info: {} }),
    showSecret: () => ({ secret: { name: 'db-password', state: 'ENABLED' } }),
    listSecretVersions: () => ({ version_metadatas: [{ id: 'v1', version_stages: ['SYSCURRENT'] }], page_info: {} }),
    showSecretVersion: () => ({ version: { version_metadata: { id: 'v1' }, secret_string: 'hunter2' } }),
    listSecretEvents: () => ({ events: [{ name: 'rotated', state: 'ENABLED' }], page_info: {} }),
    listNotificationRecords: () => ({ records: [{ secret_name: 'db-password', event_name: 'rotated' }], page_info: {} }),
    auditListEvents: () => ({
      events: [{ seq: 1, time: '2026-01-01T00:00:00Z', actor: 'local', operation: 'kms create-key', key_id: 'k1', outcome: 'success' }],
      next_marker: null,
    }),
    vaultVerify: () => ({ records: 3, entries: 9 }),
    createAccessKey: () => ({ credential: { access: 'AK1', secret: 'SK-secret' } }),
    listKeyStores: () => ({ keystores: [{ keystore_id: 'ks1', keystore_alias: 'hsm', keystore_type: 'PKCS11' as const }] }),
    sshAgentListKeys: () => ({ keys: [{ keypair_name: 'ops', offered: true }] }),
    listAccessKeys: () => ({ credentials: [{ access: 'AK1', status: 'active' }] }),
    encryptData: () => new Fail('KMS.0308', 'The key k1 is disabled.'),
  });
  const clipboard = new ClipboardManager(browserClipboard({ writeText: async (t: string) => void copied.push(t) }));
  return { managers: createManagers(client, clipboard), copied };
}

/** What a manager holds and shows: every $state field and derived value (accessors on its prototype) and its tasks' errors. */
function held(m: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(m) as object))) {
    if (d.get) out[name] = JSON.parse(JSON.stringify(d.get.call(m) ?? null)) as unknown;
  }
  for (const [name, v] of Object.entries(m)) if (v instanceof Task) out[`${name}.error`] = [v.error, v.code];
  return out;
}

/** Each manager filled the way its screen fills it. */
const FILL: { [K in keyof Managers]: (m: Managers) => Promise<unknown> } = {
  clipboard: (m) => m.clipboard.copy('hunter2', 'Secret'),
  keys: (m) => m.keys.load().then(() => m.keys.select('k1')),
  smallData: (m) => ((m.smallData.keyId = 'k1'), (m.smallData.cipherText = 'AAAA'), m.smallData.decrypt()),
  keyTags: (m) => m.keyTags.load('k1'),
  keyGrants: (m) => m.keyGrants.load('k1'),
  keyData: (m) => m.keyData.createDataKey('k1', 256),
  byok: (m) => m.byok.getParameters('k1', 'RSAES_OAEP_SHA_256'),
  signing: (m) => ((m.signing.message = 'hello'), m.signing.loadPublicKey('k1')),
  pairs: (m) => m.pairs.generate('ops', 'SSH_ED25519', false),
  keyFiles: (m) => (m.keyFiles.setText('ssh-ed25519 AAAA x', 'id.pub'), m.keyFiles.inspect()),
  windowsPassword: (m) => ((m.windowsPassword.blob = 'AAAA'), (m.windowsPassword.keypairName = 'ops'), m.windowsPassword.decrypt()),
  remotes: (m) => m.remotes.load(),
  servers: (m) => m.servers.load(),
  secrets: (m) =>
    m.secrets
      .load()
      .then(() => m.secrets.select('db-password'))
      .then(() => m.secrets.reveal('db-password', 'v1')),
  secretEvents: (m) => m.secretEvents.load(),
  files: async (m) => void (m.files.keyId = 'k1'),
  audit: (m) => m.audit.load(),
  settings: (m) => m.settings.verifyVault(),
  accessKeys: (m) => m.accessKeys.create('ci', 'master password'),
  keyStores: (m) => m.keyStores.load(),
  agentKeys: (m) => m.agentKeys.load(),
};

describe('the manager registry', () => {
  it('holds every manager class of lib/ (the session aside, which is what locks)', () => {
    const modules = import.meta.glob<Record<string, unknown>>('./*.svelte.ts', { eager: true });
    const classes = Object.values(modules).flatMap((mod) =>
      Object.entries(mod).filter(([name, v]) => typeof v === 'function' && /Manager$/.test(name) && name !== 'SessionManager'),
    );
    expect(classes.length).toBeGreaterThan(15);
    const registered = Object.values(build().managers);
    const missing = classes.filter(([, cls]) => !registered.some((m) => m instanceof (cls as new (...a: never[]) => object))).map(([name]) => name);
    expect(missing).toEqual([]);
    for (const m of registered) expect(typeof m.onLock).toBe('function');
  });

  it('wipes what every manager read from the vault when it locks, back to a fresh manager', async () => {
    const fresh = build().managers;
    const { managers, copied } = build();
    for (const [name, fill] of Object.entries(FILL) as [keyof Managers, (m: Managers) => Promise<unknown>][]) {
      await fill(managers);
      // The fill reached the manager (else the comparison below would prove nothing).
      expect(held(managers[name]), name).not.toEqual(held(fresh[name]));
    }
    expect(managers.secrets.revealed?.value).toBe('hunter2');
    expect(copied).toEqual(['hunter2']);
    lockAll(managers);
    await new Promise((r) => setTimeout(r, 0));
    for (const name of Object.keys(FILL) as (keyof Managers)[]) expect(held(managers[name]), name).toEqual(held(fresh[name]));
    expect(copied).toEqual(['hunter2', '']);
  });

  it('hides a revealed secret, a decrypted text and a Windows password when the user leaves the screen, and keeps the lists', async () => {
    const { managers } = build();
    await FILL.secrets(managers);
    await FILL.smallData(managers);
    await FILL.windowsPassword(managers);
    await FILL.keyData(managers);
    leaveAll(managers);
    expect(managers.secrets.revealed).toBeNull();
    expect(managers.secrets.secrets.map((s) => s.name)).toEqual(['db-password']);
    expect(managers.smallData.decrypted).toBeNull();
    expect(managers.windowsPassword.password).toBeNull();
    expect(managers.keyData.dataKey).toBeNull();
  });
});
