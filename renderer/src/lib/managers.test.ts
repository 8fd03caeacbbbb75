import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyState } from '../../../shared/operations/index.js';
import type { SessionStatus } from '../../../shared/ui/contract.js';
import { AuditManager, isMetadataRead, outcomeText } from './audit.svelte.js';
import { browserClipboard, ClipboardManager } from './clipboard.svelte.js';
import { Fail, scripted } from '../testing/fake-transport.js';
import { KeysManager } from './keys.svelte.js';
import { describeError } from './messages.js';
import { SessionManager } from './session.svelte.js';
import { SmallDataManager } from './small-data.svelte.js';
import { UiError } from './api.js';

const status = (state: SessionStatus['state'], extra: Partial<SessionStatus> = {}): SessionStatus => ({
  state,
  vault_path: '/v.db',
  transport: 'ipc',
  remember: { supported: true },
  remembered: false,
  auto_lock_minutes: 5,
  ...extra,
});

const key = (id: string, alias: string, state: KeyState = '2', def: '0' | '1' = '0') => ({
  key_id: id,
  key_alias: alias,
  key_state: state,
  key_usage: 'ENCRYPT_DECRYPT',
  default_key_flag: def,
  key_spec: 'AES_256',
});

describe('SessionManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refuses a short or mismatched first password without calling the vault', async () => {
    const { client, calls } = scripted({});
    const s = new SessionManager(client);
    expect(await s.create('short', 'short')).toBe(false);
    expect(s.error).toMatch(/at least 8/);
    expect(await s.create('long enough', 'different')).toBe(false);
    expect(s.error).toBe('The two passwords differ.');
    expect(calls).toEqual([]);
  });

  it('creates the vault, then locks it after the idle time unless there is activity', async () => {
    let state: SessionStatus['state'] = 'no-vault';
    const { client, calls } = scripted({
      'session.status': () => status(state, { auto_lock_minutes: 2 }),
      'session.create': () => ((state = 'unlocked'), status(state, { auto_lock_minutes: 2 })),
      'session.lock': () => ((state = 'locked'), status(state)),
    });
    const s = new SessionManager(client);
    await s.refresh();
    expect(s.state).toBe('no-vault');
    expect(await s.create('a good password', 'a good password')).toBe(true);
    expect(s.state).toBe('unlocked');
    await vi.advanceTimersByTimeAsync(90_000);
    s.activity();
    await vi.advanceTimersByTimeAsync(90_000);
    expect(s.state).toBe('unlocked');
    await vi.advanceTimersByTimeAsync(31_000);
    expect(s.state).toBe('locked');
    expect(s.lockedBecause).toBe('idle');
    expect(calls.map((c) => c.op)).toContain('session.lock');
  });

  it('shows a wrong password in plain words and stays locked', async () => {
    const { client } = scripted({ 'session.unlock': () => new Fail('VAULT.0101', 'Wrong master password.') });
    const s = new SessionManager(client);
    expect(await s.unlock('nope')).toBe(false);
    expect(s.error).toMatch(/not the master password/);
  });

  it('goes to the lock screen when the backend says it locked (OS lock, suspend)', async () => {
    const { client, push } = scripted({ 'session.status': () => status('unlocked') });
    const s = new SessionManager(client);
    await s.refresh();
    push({ type: 'locked', reason: 'os-lock' });
    expect(s.state).toBe('locked');
    expect(s.lockedBecause).toBe('os-lock');
  });

  it('treats a locked-vault answer to any call as a lock', async () => {
    const { client } = scripted({ 'session.status': () => status('unlocked'), listKeys: () => new Fail('VAULT.0107', 'The vault is locked.') });
    const s = new SessionManager(client);
    await s.refresh();
    await expect(client.call('listKeys', {})).rejects.toBeInstanceOf(UiError);
    expect(s.state).toBe('locked');
  });
});

describe('KeysManager and SmallDataManager', () => {
  it('lists user keys before default keys, creates a key and selects it', async () => {
    const keys = [key('k-default', 'kms/default', '2', '1'), key('k-b', 'zeta')];
    const { client, calls } = scripted({
      listKeys: () => ({ key_details: keys, keys: keys.map((k) => k.key_id), next_marker: '', truncated: 'false', total: keys.length }),
      createKey: (input) => {
        keys.push(key('k-new', String(input.key_alias)));
        return { key_info: { key_id: 'k-new', domain_id: 'd' } };
      },
      getKeyRotationStatus: () => ({ key_rotation_enabled: false, rotation_interval: 365, last_rotation_time: '', number_of_rotations: 0 }),
      showUserQuotas: () => ({ quotas: { resources: [{ type: 'CMK', used: keys.length - 1, quota: 20 }] } }),
      listKmsTags: () => ({ tags: [] }),
    });
    const m = new KeysManager(client);
    await m.load();
    expect(m.task.error).toBeNull();
    expect(m.quota).toEqual({ used: 1, quota: 20 });
    expect(m.sorted.map((k) => k.key_alias)).toEqual(['zeta', 'kms/default']);
    expect(await m.create({ alias: '  alpha ', description: '', spec: 'AES_256' })).toBe('k-new');
    expect(calls.find((c) => c.op === 'createKey')?.input).toEqual({ key_alias: 'alpha', key_description: '', key_spec: 'AES_256' });
    expect(m.selected?.key_alias).toBe('alpha');
    expect(m.sorted.map((k) => k.key_alias)).toEqual(['alpha', 'zeta', 'kms/default']);
  });

  it('offers only enabled symmetric keys for encryption', async () => {
    const keys = [
      key('a', 'on'),
      key('b', 'off', '3'),
      { ...key('c', 'signer'), key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY' },
      { ...key('d', 'rsa'), key_spec: 'RSA_2048' },
    ];
    const { client } = scripted({ listKeys: () => ({ key_details: keys }) });
    const m = new KeysManager(client);
    await m.load();
    expect(m.usableForEncryption.map((k) => k.key_id)).toEqual(['a']);
  });

  it('shows a bad alias as the form names it', async () => {
    const { client } = scripted({ createKey: () => new Fail('KMS.1101', 'Invalid parameter key_alias: must be 1-255 characters of a-z A-Z 0-9 : / _ -.') });
    const m = new KeysManager(client);
    expect(await m.create({ alias: 'bad alias!', description: '', spec: 'AES_256' })).toBeUndefined();
    expect(m.task.error).toBe('Invalid parameter “Alias”: must be 1-255 characters of a-z A-Z 0-9 : / _ -.');
  });

  it('encrypts, decrypts, and forgets the plaintext on clear', async () => {
    const { client, calls } = scripted({
      encryptData: (i) => ({ key_id: i.key_id, cipher_text: `CT(${String(i.plain_text)})` }),
      decryptData: (i) => ({ key_id: 'k1', plain_text: String(i.cipher_text).slice(3, -1), plain_text_base64: '' }),
    });
    const d = new SmallDataManager(client);
    d.keyId = 'k1';
    d.plainText = 'hello';
    await d.encrypt();
    expect(d.cipherText).toBe('CT(hello)');
    d.cipherText = '  CT(hello) ';
    await d.decrypt();
    expect(calls.at(-1)?.input).toEqual({ cipher_text: 'CT(hello)' });
    expect(d.decrypted).toEqual({ text: 'hello', keyId: 'k1' });
    d.clear();
    expect([d.plainText, d.cipherText, d.decrypted]).toEqual(['', '', null]);
  });
});

describe('AuditManager', () => {
  it('pages older entries and reports a verified chain', async () => {
    const ev = (seq: number) => ({
      seq,
      time: new Date(0).toISOString(),
      transport: 'ipc',
      operation: 'kms list-keys',
      key_id: null,
      outcome: 'success',
      fields: {},
    });
    const { client } = scripted({
      auditListEvents: (i) => (i.marker === undefined ? { events: [ev(3), ev(2)], next_marker: 2 } : { events: [ev(1)], next_marker: null }),
      auditVerify: () => ({ valid: true, entries: 3, head: 'abcd' }),
    });
    const a = new AuditManager(client);
    await a.load();
    await a.more();
    expect(a.events.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(a.nextMarker).toBeNull();
    await a.verify();
    expect(a.verified).toMatchObject({ entries: 3, head: 'abcd' });
  });

  it('says so when the chain is broken', async () => {
    const { client } = scripted({ auditVerify: () => new Fail('AUDIT.0501', 'Audit entry 7 does not chain from entry 6.') });
    const a = new AuditManager(client);
    await a.verify();
    expect(a.verified).toBeNull();
    expect(a.task.error).toMatch(/^The vault failed an integrity check: Audit entry 7/);
  });
});

describe('ClipboardManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts down and clears the clipboard after 30 s', async () => {
    const writes: string[] = [];
    const c = new ClipboardManager(browserClipboard({ writeText: async (t) => void writes.push(t) }));
    await c.copy('s3cret', 'Password');
    expect(c.remaining).toBe(30);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.remaining).toBe(20);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(c.remaining).toBe(0);
    expect(writes).toEqual(['s3cret', '']);
  });

  it('clears at once on "clear now", and explains a refused copy', async () => {
    const writes: string[] = [];
    const c = new ClipboardManager(browserClipboard({ writeText: async (t) => void writes.push(t) }));
    await c.copy('s3cret', 'Password');
    await c.clearNow();
    expect(c.remaining).toBe(0);
    expect(writes).toEqual(['s3cret', '']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(writes).toEqual(['s3cret', '']);
    const refused = new ClipboardManager(browserClipboard({ writeText: () => Promise.reject(new Error('denied')) }));
    await refused.copy('x', 'X');
    expect(refused.error).toMatch(/refused/);
    expect(refused.remaining).toBe(0);
  });
});

describe('ClipboardManager in a browser tab without focus', () => {
  it('retries a refused clear when the page is focused again', async () => {
    const writes: string[] = [];
    let focused = true;
    const c = new ClipboardManager(browserClipboard({ writeText: async (t) => (focused ? void writes.push(t) : Promise.reject(new Error('not focused'))) }));
    await c.copy('s3cret', 'Password');
    focused = false;
    await c.clearNow();
    expect(c.pendingClear).toBe(true);
    expect(writes).toEqual(['s3cret']);
    focused = true;
    await c.retryClear();
    expect(c.pendingClear).toBe(false);
    expect(writes).toEqual(['s3cret', '']);
  });

  it('in the desktop app asks the main process to write and clear', async () => {
    const { client, calls } = scripted({ 'clipboard.write': () => ({ written: true }), 'clipboard.clear': () => ({ cleared: true }) });
    const { desktopClipboard } = await import('./clipboard.svelte.js');
    const c = new ClipboardManager(desktopClipboard(client));
    await c.copy('s3cret', 'Password');
    await c.clearNow();
    expect(calls).toEqual([
      { op: 'clipboard.write', input: { text: 's3cret' } },
      { op: 'clipboard.clear', input: {} },
    ]);
  });
});

describe('AccessKeysManager', () => {
  it('shows a new secret once, until dismissed, and lists keys without secrets', async () => {
    const listed = [{ access: 'AK0000000000000000001', status: 'active' as const, description: 'ci', create_time: '', user_id: 'u' }];
    const { client, calls } = scripted({
      createAccessKey: () => ({ credential: { ...listed[0], secret: 'SK-secret' } }),
      listAccessKeys: () => ({ credentials: listed }),
    });
    const { AccessKeysManager } = await import('./access-keys.svelte.js');
    const m = new AccessKeysManager(client);
    await m.create('ci', 'master pw');
    expect(calls[0]).toEqual({ op: 'createAccessKey', input: { description: 'ci', current_password: 'master pw' } });
    expect(m.created).toEqual({ access: 'AK0000000000000000001', secret: 'SK-secret' });
    expect(JSON.stringify(m.keys)).not.toContain('SK-secret');
    m.dismissSecret();
    expect(m.created).toBeNull();
  });
});

describe('describeError', () => {
  it('never shows an internal error’s text', () => {
    expect(describeError(new Error('at Object.<anonymous> (/secret/path.ts:1:1)'))).not.toMatch(/secret|path/);
  });
});

describe('KeyPairsManager', () => {
  const detail = (name: string, hosted: boolean) => ({
    name,
    is_key_protection: hosted,
    public_key: 'ssh-ed25519 AAAA x',
    fingerprint: 'SHA256:x',
    algorithm: 'SSH_ED25519',
    create_time: 0,
  });

  it('tells a public key from a private key by content', async () => {
    const { looksPublic } = await import('./keypairs.svelte.js');
    expect(looksPublic('ssh-ed25519 AAAAC3Nz comment')).toBe(true);
    expect(looksPublic('ecdsa-sha2-nistp256 AAAA x')).toBe(true);
    expect(looksPublic('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----')).toBe(true);
    expect(looksPublic('-----BEGIN OPENSSH PRIVATE KEY-----\n...')).toBe(false);
    expect(looksPublic('PuTTY-User-Key-File-3: ssh-ed25519')).toBe(false);
  });

  it('shows a generated key that is not hosted once, and only until dismissed', async () => {
    const { client, calls } = scripted({
      createKeypair: () => ({ keypair: { name: 'laptop', private_key: '-----BEGIN PRIVATE KEY-----\nMC4\n-----END PRIVATE KEY-----\n' } }),
      listKeypairs: () => ({ keypairs: [{ keypair: detail('laptop', false) }], page_info: { current_count: 1 } }),
      listKeypairDetail: () => ({ keypair: detail('laptop', false) }),
    });
    const { KeyPairsManager } = await import('./keypairs.svelte.js');
    const m = new KeyPairsManager(client);
    expect(await m.generate('laptop', 'SSH_ED25519', false)).toBe(true);
    expect(calls[0]).toEqual({ op: 'createKeypair', input: { keypair: { name: 'laptop', algorithm: 'SSH_ED25519' } } });
    expect(m.oneTime?.text).toContain('PRIVATE KEY');
    m.dismissOneTime();
    expect(m.oneTime).toBeNull();
    expect(JSON.stringify(m.list)).not.toContain('PRIVATE KEY');
  });

  it('hosts a generated key under kps/default, imports pasted text by kind, exports with a passphrase', async () => {
    const { client, calls } = scripted({
      createKeypair: () => ({ keypair: { name: 'k' } }),
      listKeypairs: () => ({ keypairs: [], page_info: { current_count: 0 } }),
      listKeypairDetail: () => ({ keypair: detail('k', true) }),
      exportPrivateKey: () => ({ keypair: { name: 'k', private_key: 'PuTTY-User-Key-File-3: ssh-ed25519' } }),
    });
    const { KeyPairsManager } = await import('./keypairs.svelte.js');
    const m = new KeyPairsManager(client);
    await m.generate('k', 'SSH_RSA_3072', true);
    await m.importText('pub', 'ssh-ed25519 AAAA me');
    await m.importText('priv', '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----');
    const creates = calls.filter((c) => c.op === 'createKeypair').map((c) => (c.input as { keypair: unknown }).keypair);
    expect(creates).toEqual([
      { name: 'k', algorithm: 'SSH_RSA_3072', key_protection: { encryption: { type: 'default' } } },
      { name: 'pub', public_key: 'ssh-ed25519 AAAA me' },
      {
        name: 'priv',
        key_protection: { private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----', encryption: { type: 'default' } },
      },
    ]);
    await m.exportKey('k', 'ppk3', 'secret words');
    expect(calls.at(-1)).toEqual({ op: 'exportPrivateKey', input: { keypair: { name: 'k' }, format: 'ppk3', new_passphrase: 'secret words' } });
    expect(m.oneTime).toMatchObject({ fileName: 'k.ppk', text: 'PuTTY-User-Key-File-3: ssh-ed25519' });
  });
});

describe('WindowsPasswordManager', () => {
  it('sends the blob without whitespace and shows the password; a wrong key is explained', async () => {
    let fail = false;
    const { client, calls } = scripted({
      kpsWindowsPassword: () => (fail ? new Fail('KPS.2002', 'The password blob was not encrypted for this key.') : { password: 'Adm1n!' }),
    });
    const { WindowsPasswordManager } = await import('./windows-password.svelte.js');
    const w = new WindowsPasswordManager(client);
    w.blob = 'AAAA\nBBBB ';
    w.keypairName = 'win';
    await w.decrypt();
    expect(calls[0]?.input).toEqual({ password_blob: 'AAAABBBB', keypair_name: 'win' });
    expect(w.password).toBe('Adm1n!');
    fail = true;
    await w.decrypt();
    expect(w.password).toBeNull();
    expect(w.task.error).toBe('The password blob was not encrypted for this key.');
    w.onLeave();
    expect([w.blob, w.password]).toEqual(['', null]);
  });
});

describe('SigningManager and key actions', () => {
  it('signs the UTF-8 bytes of the message as RAW and reports verification', async () => {
    const { client, calls } = scripted({
      sign: () => ({ key_id: 'k', signature: 'SIG' }),
      verify: (i) => ({ key_id: 'k', signature_valid: i.signature === 'SIG' ? 'true' : 'false' }),
    });
    const { SigningManager, algorithmsFor } = await import('./signing.svelte.js');
    // The core accepts every ECDSA digest on every EC curve (shared/key-specs.ts); the app offers the same.
    expect(algorithmsFor('EC_P256')).toEqual(['ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512']);
    expect(algorithmsFor('HMAC_256')).toEqual([]);
    expect(algorithmsFor('RSA_2048')).toContain('RSASSA_PKCS1_V1_5_SHA_256');
    const s = new SigningManager(client);
    s.reset('EC_P256');
    s.message = 'héllo';
    await s.sign('k');
    expect(calls[0]?.input).toEqual({ key_id: 'k', message: 'aMOpbGxv', signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW' });
    await s.verify('k');
    expect(s.valid).toBe(true);
    s.signature = 'OTHER';
    await s.verify('k');
    expect(s.valid).toBe(false);
  });

  it('forgets a verdict when the message, the algorithm or the signature changes', async () => {
    const { client } = scripted({ verify: () => ({ key_id: 'k', signature_valid: 'true' }) });
    const { SigningManager } = await import('./signing.svelte.js');
    const s = new SigningManager(client);
    s.reset('EC_P256');
    s.message = 'release v1';
    s.signature = 'SIG';
    const changes: ((m: typeof s) => void)[] = [(m) => (m.message = 'release v2'), (m) => (m.algorithm = 'ECDSA_SHA_384'), (m) => (m.signature = 'SIG2')];
    for (const change of changes) {
      await s.verify('k');
      expect(s.valid).toBe(true);
      change(s);
      expect(s.valid).toBeNull();
    }
    // Writing the same value again (a re-render) keeps the verdict.
    await s.verify('k');
    s.signature = 'SIG2';
    expect(s.valid).toBe(true);
  });

  it('reads every page of keys, not only the first 1000', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => key(`k${String(i).padStart(4, '0')}`, `alias-${i}`));
    const { client, calls } = scripted({
      listKeys: (i) => {
        const start = i.marker ? Number(i.marker) : 0;
        const page = all.slice(start, start + 1000);
        const next = start + page.length;
        return {
          key_details: page,
          keys: [],
          next_marker: next < all.length ? String(next) : '',
          truncated: next < all.length ? 'true' : 'false',
          total: all.length,
        };
      },
      showUserQuotas: () => ({ quotas: { resources: [{ type: 'CMK', used: 2500, quota: 10000 }] } }),
      listKmsTags: () => ({ tags: [] }),
    });
    const m = new KeysManager(client);
    await m.load();
    expect(m.keys).toHaveLength(2500);
    expect(calls.filter((c) => c.op === 'listKeys')).toHaveLength(3);
    expect(m.view.visible).toHaveLength(50);
    expect(m.view.range).toBe('1–50 of 2500');
  });

  it('raises the custom-key quota as the cloud expects it (a string) and shows the new one', async () => {
    let quota = 20;
    const { client, calls } = scripted({
      updateUserQuotas: (i) => {
        quota = Number(i.cmk_quota);
        return {};
      },
      showUserQuotas: () => ({ quotas: { resources: [{ type: 'CMK', used: 20, quota }] } }),
    });
    const m = new KeysManager(client);
    await m.setQuota(100);
    expect(calls[0]).toEqual({ op: 'updateUserQuotas', input: { cmk_quota: '100' } });
    expect(m.quota).toEqual({ used: 20, quota: 100 });
  });

  it('clears a decryption result and its error on every new attempt and on every change of input', async () => {
    let fail = false;
    const { client } = scripted({
      decryptData: (i) =>
        fail ? new Fail('KMS.2201', 'The ciphertext is not valid.') : { key_id: 'k1', plain_text: String(i.cipher_text), plain_text_base64: '' },
      encryptData: () => ({ key_id: 'k1', cipher_text: 'CT' }),
    });
    const d = new SmallDataManager(client);
    d.cipherText = 'one';
    await d.decrypt();
    expect(d.decrypted?.text).toBe('one');
    fail = true;
    d.cipherText = 'two';
    expect(d.decrypted).toBeNull();
    await d.decrypt();
    expect(d.decrypted).toBeNull();
    expect(d.task.error).not.toBeNull();
    d.keyId = 'k2';
    expect(d.task.error).toBeNull();
    fail = false;
    await d.decrypt();
    expect(d.decrypted?.text).toBe('two');
    await d.encrypt();
    expect(d.decrypted).toBeNull();
  });

  it('keeps the encryption key only while it can encrypt', () => {
    const { client } = scripted({});
    const d = new SmallDataManager(client);
    d.chooseFrom([{ key_id: 'a' }, { key_id: 'b' }]);
    expect(d.keyId).toBe('a');
    d.keyId = 'b';
    d.chooseFrom([{ key_id: 'a' }, { key_id: 'b' }]);
    expect(d.keyId).toBe('b');
    d.chooseFrom([{ key_id: 'a' }]);
    expect(d.keyId).toBe('a');
    d.chooseFrom([]);
    expect(d.keyId).toBe('');
  });

  it('schedules deletion with the days as the cloud expects them (a string)', async () => {
    const k = key('k1', 'a');
    const { client, calls } = scripted({
      scheduleKeyDeletion: () => ({ key_id: 'k1', key_state: '4' }),
      listKeys: () => ({ key_details: [k] }),
      showUserQuotas: () => ({ quotas: { resources: [] } }),
      getKeyRotationStatus: () => ({ key_rotation_enabled: false, rotation_interval: 365, last_rotation_time: '', number_of_rotations: 0 }),
    });
    const m = new KeysManager(client);
    await m.scheduleDeletion('k1', 30);
    expect(calls[0]).toEqual({ op: 'scheduleKeyDeletion', input: { key_id: 'k1', pending_days: '30' } });
  });
});

describe('RemotesManager', () => {
  it('adds a Keyhold remote by URL, previews a sync, and applies exactly the previewed one', async () => {
    const changes = [{ service: 'kms' as const, action: 'add' as const, id: 'k1', detail: 'alias a' }];
    const { client, calls } = scripted({
      remoteAdd: () => ({ remote: {} }),
      remoteList: () => ({ remotes: [{ name: 'peer', endpoint: 'http://127.0.0.1:8443', project_id: 'p' }] }),
      remoteSync: (i) => ({ changes, applied: i.dry_run === false }),
      remoteListMirroredKeys: () => ({ keys: [] }),
    });
    const { RemotesManager } = await import('./remotes.svelte.js');
    const m = new RemotesManager(client);
    expect(
      await m.add({
        name: ' peer ',
        kind: 'keyhold',
        region: 'cn-north-4',
        endpoint: 'http://127.0.0.1:8443',
        projectId: 'p',
        accessKey: 'AK',
        secretKey: 'SK',
      }),
    ).toBe(true);
    expect(calls[0]).toEqual({
      op: 'remoteAdd',
      input: { name: 'peer', project_id: 'p', access_key: 'AK', secret_key: 'SK', endpoint: 'http://127.0.0.1:8443' },
    });
    await m.preview('peer', 'kms', 'pull');
    expect(m.plan?.applied).toBe(false);
    expect(m.canApply).toBe(true);
    await m.apply();
    expect(calls.filter((c) => c.op === 'remoteSync').map((c) => c.input)).toEqual([
      { name: 'peer', service: 'kms', direction: 'pull', dry_run: true },
      { name: 'peer', service: 'kms', direction: 'pull', dry_run: false },
    ]);
    expect(m.plan?.applied).toBe(true);
    expect(m.canApply).toBe(false);
  });

  it('offers nothing to apply when the preview has only conflicts', async () => {
    const { client } = scripted({ remoteSync: () => ({ changes: [{ service: 'kps', action: 'conflict', id: 'web', detail: 'differs' }], applied: false }) });
    const { RemotesManager } = await import('./remotes.svelte.js');
    const m = new RemotesManager(client);
    await m.preview('peer', 'kps', 'push');
    expect(m.canApply).toBe(false);
  });

  it('resolves a secret conflict with remote resolve, then previews the same sync again', async () => {
    let resolved = false;
    const { client, calls } = scripted({
      remoteSync: () => ({
        changes: [{ service: 'csms', action: resolved ? 'update' : 'conflict', id: 'db-pass', detail: 'local: v3 …; remote: v3 …' }],
        applied: false,
        complete: resolved,
      }),
      remoteResolve: (i) => {
        resolved = true;
        return { remote: i.name, service: 'csms', secret_name: i.secret_name, keep: i.keep, applied_by: 'pull' };
      },
    });
    const { RemotesManager } = await import('./remotes.svelte.js');
    const m = new RemotesManager(client);
    await m.preview('peer', 'csms', 'pull');
    expect(m.canApply).toBe(false);
    await m.resolve('db-pass', 'remote');
    expect(calls.map((c) => c.op)).toEqual(['remoteSync', 'remoteResolve', 'remoteSync']);
    expect(calls[1]?.input).toEqual({ name: 'peer', service: 'csms', secret_name: 'db-pass', keep: 'remote' });
    expect(calls[2]?.input).toEqual({ name: 'peer', service: 'csms', direction: 'pull', dry_run: true });
    expect(m.plan?.changes[0]?.action).toBe('update');
    expect(m.canApply).toBe(true);
  });

  it('fetches a Windows password through a remote by server id', async () => {
    const { client, calls } = scripted({ remoteWindowsPassword: () => ({ password: 'From-ECS1' }) });
    const { WindowsPasswordManager } = await import('./windows-password.svelte.js');
    const w = new WindowsPasswordManager(client);
    w.source = 'remote';
    w.remoteName = 'cloud';
    w.serverId = ' 6f1c ';
    w.keypairName = 'win';
    await w.decrypt();
    expect(calls[0]).toEqual({ op: 'remoteWindowsPassword', input: { name: 'cloud', server_id: '6f1c', keypair_name: 'win' } });
    expect(w.password).toBe('From-ECS1');
  });
});

describe('SecretsManager', () => {
  it('reveals a version only on request, and forgets it on hide or when another secret is chosen', async () => {
    const secret = (name: string) => ({ name, state: 'ENABLED' as const, description: '' });
    const { client, calls } = scripted({
      showSecret: (i) => ({ secret: secret(String(i.secret_name)) }),
      listSecretVersions: () => ({ version_metadatas: [{ id: 'v1', version_stages: ['SYSCURRENT'], create_time: 0 }], page_info: { current_count: 1 } }),
      showSecretVersion: () => ({ version: { version_metadata: { id: 'v1' }, secret_string: 'hunter2' } }),
    });
    const { SecretsManager } = await import('./secrets.svelte.js');
    const m = new SecretsManager(client);
    await m.select('db');
    expect(calls.some((c) => c.op === 'showSecretVersion')).toBe(false);
    expect(JSON.stringify(m.versions)).not.toContain('hunter2');
    await m.reveal('db', 'v1');
    expect(m.revealed).toEqual({ version: 'v1', value: 'hunter2' });
    await m.select('other');
    expect(m.revealed).toBeNull();
    await m.reveal('db', 'v1');
    m.hide();
    expect(m.revealed).toBeNull();
  });

  it('moves a stage with the cloud field names', async () => {
    const { client, calls } = scripted({
      updateSecretStage: () => ({ stage: {} }),
      showSecret: () => ({ secret: { name: 'db', state: 'ENABLED' } }),
      listSecretVersions: () => ({ version_metadatas: [] }),
    });
    const { SecretsManager } = await import('./secrets.svelte.js');
    const m = new SecretsManager(client);
    await m.moveStage('db', ' STAGING ', 'v1');
    expect(calls[0]).toEqual({ op: 'updateSecretStage', input: { secret_name: 'db', stage_name: 'STAGING', version_id: 'v1' } });
  });
});

describe('FilesManager', () => {
  it('takes tokens from the dialogs (never paths), shows progress from events, and reports the result', async () => {
    let push: (e: import('../../../shared/ui/contract.js').UiEvent) => void = () => undefined;
    const s = scripted({
      'dialog.open-file': () => ({ token: 'tok-in', name: 'report.pdf' }),
      'dialog.save-file': (i) => ({ token: 'tok-out', name: String(i.default_name) }),
      fileEncrypt: () => {
        push({ type: 'progress', op: 'fileEncrypt', done: 512, total: 1024 });
        return { key_id: 'k', bytes_in: 1024, bytes_out: 1300 };
      },
    });
    push = s.push;
    const { FilesManager } = await import('./files.svelte.js');
    const f = new FilesManager(s.client);
    f.keyId = 'k';
    await f.pickIn();
    await f.pickOut();
    expect(f.outFile).toEqual({ token: 'tok-out', name: 'report.pdf.khenc' });
    await f.run();
    expect(s.calls.at(-1)).toEqual({ op: 'fileEncrypt', input: { key_id: 'k', in: 'tok-in', out: 'tok-out' } });
    expect(f.percent).toBe(50);
    expect(f.result).toBe('Encrypted 1024 bytes into report.pdf.khenc (1300 bytes).');
    // The tokens are spent: the next run asks for the files again.
    expect(f.inFile).toBeNull();
  });

  it('keeps the previous choice when a dialog is cancelled', async () => {
    const { client } = scripted({ 'dialog.open-file': () => ({ token: null, name: null }) });
    const { FilesManager } = await import('./files.svelte.js');
    const f = new FilesManager(client);
    f.inFile = { token: 't', name: 'a' };
    await f.pickIn();
    expect(f.inFile).toEqual({ token: 't', name: 'a' });
  });
});

describe('audit screen rules', () => {
  it('hides metadata reads, never reads that reveal something', () => {
    expect(['kms list-keys', 'kms describe-key', 'csms show-secret', 'kms get-key-rotation-status', 'audit list-events'].every(isMetadataRead)).toBe(true);
    expect(['csms show-secret-version', 'kps export-private-key', 'kms decrypt-data', 'kms create-key', 'audit verify'].some(isMetadataRead)).toBe(false);
  });

  it('says outcomes in words with the code beside', () => {
    expect(outcomeText('success')).toBe('Succeeded');
    expect(outcomeText('KMS.0308')).toBe('Failed (KMS.0308)');
  });
});
