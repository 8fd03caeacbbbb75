// PKCS#11 key stores against a real SoftHSM2 token, initialised here in a temporary directory
// (SOFTHSM2_CONF): the KMS behaviours through token keys, signatures judged by openssl, the
// objects' attributes as pkcs11-tool reads them, and each way of failing (wrong PIN, missing
// module, token directory moved away, session closed from outside) as its typed error with the
// vault unchanged. Skipped only when Debian's softhsm2 is not installed (the module is absent).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { findOperation } from '../../electron/core/api/registry.js';
import { dispatchUiCall } from '../../electron/ui/bridge.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { KEYSTORE_TABLE, type KeyStoreRecord } from '../../electron/core/kms/keystores.js';
import { KeyStoreConnections } from '../../electron/core/hsm/key-stores.js';
import type { WrappedKey } from '../../electron/core/hsm/backend.js';
import { lifecycleHandlers } from '../../electron/core/kms/lifecycle.js';
import { rotationHandlers } from '../../electron/core/kms/rotation.js';
import { newKey } from '../../electron/core/kms/keys.js';
import { phasesOf } from '../../shared/operations/index.js';
import { memoryKmsContext } from '../helpers/memory-store.js';
import { buildRoutes } from '../../electron/server/routes.js';
import type { KeySpec, SigningAlgorithm } from '../../shared/constants.js';
import { createKey, expectCode, kms, readKey, type Json } from '../helpers/kms.js';
import { cli, newSession, tempDir, TEST_PASSWORD } from '../helpers/vault.js';

const SYSTEM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const present = existsSync(SYSTEM_MODULE);
const LABEL = 'keyhold-test';
/** A second token, never opened by a key store before the wrong-PIN test (a logged-in token takes no PIN). */
const OTHER_LABEL = 'keyhold-other';
const PIN = '123456';

let session: Session;
let vaultPath: string;
let dir: string;
/** A private copy of the module, so the test can take it away (and SoftHSM2 is loaded once). */
let module: string;
let tokenDir: string;
let keystoreId: string;

function run(cmd: string, args: string[], cwd = dir): { status: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: process.env });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
function ok(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}
const file = (name: string) => join(dir, name);

/** Everything the vault holds about key stores and keys, to show a failure changed nothing. */
function vaultState(s: Session = session): string {
  return JSON.stringify([s.vault.list(KEYSTORE_TABLE), s.vault.list('kms_keys')]);
}

describe.skipIf(!present)('PKCS#11 key store on SoftHSM2 (skipped when /usr/lib/softhsm/libsofthsm2.so is not installed)', () => {
  beforeAll(async () => {
    ({ session, path: vaultPath, dir } = await newSession());
    tokenDir = file('tokens');
    ok('mkdir', ['-p', tokenDir]);
    writeFileSync(file('softhsm2.conf'), `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    process.env.SOFTHSM2_CONF = file('softhsm2.conf');
    ok('softhsm2-util', ['--init-token', '--free', '--label', LABEL, '--pin', PIN, '--so-pin', '654321']);
    ok('softhsm2-util', ['--init-token', '--free', '--label', OTHER_LABEL, '--pin', PIN, '--so-pin', '654321']);
    module = file('libsofthsm2.so');
    copyFileSync(SYSTEM_MODULE, module);
    chmodSync(module, 0o755);
    writeFileSync(file('pin'), `${PIN}\n`);
  });
  afterAll(() => session?.close());

  it('create-key-store (CLI, --pin-file) answers {"keystore":{keystore_id,…}} and the store is available', () => {
    const r = cli(vaultPath, [
      'kms',
      'create-key-store',
      '--keystore-alias',
      'softhsm',
      '--keystore-type',
      'PKCS11',
      '--pkcs11-module',
      module,
      '--token-label',
      LABEL,
      '--pin-file',
      file('pin'),
    ]);
    expect(r.error).toBeUndefined();
    const ks = (r.json as Json).keystore;
    expect(ks.keystore_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ks).toMatchObject({
      keystore_alias: 'softhsm',
      keystore_type: 'PKCS11',
      pkcs11_module: module,
      token_label: LABEL,
      keystore_state: 'ENABLED',
      availability: 'available',
    });
    expect(JSON.stringify(r.json)).not.toContain(PIN);
    keystoreId = ks.keystore_id;
  });

  it('list-key-stores and show-key-store show it, never its PIN; the PIN is not in the audit log', async () => {
    const list = await kms(session, 'list-key-stores');
    expect(list.total).toBe(1);
    expect(list.keystores[0]).toMatchObject({ keystore_id: keystoreId, availability: 'available' });
    const shown = await kms(session, 'show-key-store', { keystore_id: keystoreId });
    expect(shown.keystore.token_serial).toMatch(/\S/);
    expect(JSON.stringify([list, shown])).not.toContain(PIN);
    const events = await session.invoke('auditListEvents', {}, 'cli');
    expect(JSON.stringify(events)).toContain('create-key-store');
    expect(JSON.stringify(events)).not.toContain(PIN);
  });

  describe('AES_256 in the token', () => {
    let keyId: string;
    beforeAll(async () => {
      keyId = await createKey(session, 'AES_256', { keystore_id: keystoreId });
    });

    it('describe-key shows keystore_id; the vault holds a reference to the object, no material', async () => {
      const { key_info } = await kms(session, 'describe-key', { key_id: keyId });
      expect(key_info.keystore_id).toBe(keystoreId);
      const material = readKey(session, keyId).versions[0]?.material as string;
      expect(material).toMatch(new RegExp(`^P11K1\\.${keystoreId}\\.aes-256\\.[0-9a-f]{32}$`));
    });

    it('pkcs11-tool lists the key as sensitive and never extractable, with the id the vault holds', () => {
      const id = (readKey(session, keyId).versions[0]?.material as string).split('.')[3] as string;
      const out = ok('pkcs11-tool', ['--module', SYSTEM_MODULE, '--token-label', LABEL, '--login', '--pin', PIN, '--list-objects']);
      const block = out.split(/\n(?=\S)/).find((b) => b.includes(`ID:         ${id}`)) ?? '';
      expect(block).toContain('Secret Key Object; AES length 32');
      expect(block).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
      expect(block).toMatch(/Usage:\s+encrypt, decrypt\n/);
    });

    it('encrypt-data / decrypt-data; an altered ciphertext or other AAD is KMS.2201', async () => {
      const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'kept by the token', additional_authenticated_data: 'ctx' });
      const back = await kms(session, 'decrypt-data', { cipher_text, additional_authenticated_data: 'ctx' });
      expect(back.plain_text).toBe('kept by the token');
      await expectCode(kms(session, 'decrypt-data', { cipher_text, additional_authenticated_data: 'other' }), 'KMS.2201');
      const raw = Buffer.from(cipher_text, 'base64');
      raw[raw.length - 20] = (raw[raw.length - 20] as number) ^ 1;
      await expectCode(kms(session, 'decrypt-data', { cipher_text: raw.toString('base64') }), 'KMS.2201');
    });

    it('the token backend draws a fresh IV for every seal: the same plaintext twice never shares one', async () => {
      const ivs = new Set<string>();
      for (let i = 0; i < 32; i++) {
        const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'same' });
        ivs.add(Buffer.from(cipher_text, 'base64').subarray(22, 34).toString('hex'));
      }
      expect(ivs.size).toBe(32);
    });

    it('data keys: create-datakey, decrypt-datakey, encrypt-datakey round-trip', async () => {
      const dk = await kms(session, 'create-datakey', { key_id: keyId, datakey_length: '256' });
      const opened = await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: dk.cipher_text, datakey_cipher_length: '32' });
      expect(opened.data_key).toBe(dk.plain_text);
      const mine = Buffer.alloc(32, 0xab);
      const plain_text = Buffer.concat([mine, createHash('sha256').update(mine).digest()]).toString('hex');
      const wrapped = await kms(session, 'encrypt-datakey', { key_id: keyId, plain_text, datakey_plain_length: '32' });
      const again = await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: wrapped.cipher_text, datakey_cipher_length: '32' });
      expect(again.data_key).toBe(mine.toString('hex'));
    });

    it('rotate-on-demand makes a new object; old and new ciphertexts decrypt; automatic rotation is refused', async () => {
      const { cipher_text: before } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'v1' });
      await kms(session, 'rotate-on-demand', { key_id: keyId });
      const versions = readKey(session, keyId).versions;
      expect(versions).toHaveLength(2);
      expect(versions[1]?.material).not.toBe(versions[0]?.material);
      expect(versions[1]?.material).toMatch(/^P11K1\./);
      const { cipher_text: after } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'v2' });
      expect((await kms(session, 'decrypt-data', { cipher_text: before })).plain_text).toBe('v1');
      expect((await kms(session, 'decrypt-data', { cipher_text: after })).plain_text).toBe('v2');
      const e = await expectCode(kms(session, 'enable-key-rotation', { key_id: keyId }), 'KEYHOLD.0001');
      expect(e.message).toContain('rotate-on-demand');
    });

    it('an envelope file and a secret use the token key like any other', async () => {
      writeFileSync(file('plain.txt'), 'file sealed under a token CMK');
      await session.invoke('fileEncrypt', { key_id: keyId, in: file('plain.txt'), out: file('plain.khe') }, 'cli');
      await session.invoke('fileDecrypt', { in: file('plain.khe'), out: file('plain.out') }, 'cli');
      expect(readFileSync(file('plain.out'), 'utf8')).toBe('file sealed under a token CMK');
      await session.invoke('createSecret', { name: 'token-secret', secret_string: 's3cret', kms_key_id: keyId }, 'cli');
      const v = await session.invoke('showSecretVersion', { secret_name: 'token-secret', version_id: 'latest' }, 'cli');
      expect(v.version.secret_string).toBe('s3cret');
    });
  });

  const hashOf = (alg: SigningAlgorithm) => `sha${alg.slice(-3)}`;
  const padding = (alg: SigningAlgorithm) => (alg.startsWith('RSASSA_PSS') ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] : []);
  const SIGNERS: { spec: KeySpec; algorithms: SigningAlgorithm[] }[] = [
    { spec: 'RSA_2048', algorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384'] },
    { spec: 'EC_P256', algorithms: ['ECDSA_SHA_256', 'ECDSA_SHA_384'] },
    { spec: 'EC_P384', algorithms: ['ECDSA_SHA_384'] },
    { spec: 'SECP256K1', algorithms: ['ECDSA_SHA_256'] },
  ];

  describe.each(SIGNERS)('$spec in the token: the token signs, openssl verifies', ({ spec, algorithms }) => {
    let keyId: string;
    beforeAll(async () => {
      keyId = await createKey(session, spec, { keystore_id: keystoreId });
      writeFileSync(file(`${spec}.pem`), (await kms(session, 'get-publickey', { key_id: keyId })).public_key);
      writeFileSync(file('msg.bin'), 'signed inside a token');
      writeFileSync(file('other.bin'), 'not what was signed');
    });

    it.each(algorithms)('%s: RAW and DIGEST signatures verify with openssl; another message does not; verify agrees', async (alg) => {
      const msg = readFileSync(file('msg.bin'));
      for (const message_type of ['RAW', 'DIGEST'] as const) {
        const message = message_type === 'RAW' ? msg : Buffer.from(ok('openssl', ['dgst', `-${hashOf(alg)}`, '-binary', 'msg.bin']), 'latin1');
        const digest = message_type === 'DIGEST' ? run('openssl', ['dgst', `-${hashOf(alg)}`, '-binary', '-out', 'digest.bin', 'msg.bin']) : null;
        const input = message_type === 'DIGEST' ? readFileSync(file('digest.bin')) : message;
        expect(digest === null || digest.status === 0).toBe(true);
        const { signature } = await kms(session, 'sign', { key_id: keyId, signing_algorithm: alg, message_type, message: input.toString('base64') });
        writeFileSync(file('sig.bin'), Buffer.from(signature, 'base64'));
        const args = [`-${hashOf(alg)}`, '-verify', `${spec}.pem`, ...padding(alg), '-signature', 'sig.bin'];
        expect(ok('openssl', ['dgst', ...args, 'msg.bin'])).toContain('Verified OK');
        expect(run('openssl', ['dgst', ...args, 'other.bin']).status).not.toBe(0);
        const verdict = await kms(session, 'verify', { key_id: keyId, signing_algorithm: alg, message_type, message: input.toString('base64'), signature });
        expect(verdict.signature_valid).toBe('true');
      }
    });

    it('pkcs11-tool lists its private key as sensitive and never extractable', () => {
      const id = (readKey(session, keyId).versions[0]?.material as string).split('.')[3] as string;
      const out = ok('pkcs11-tool', ['--module', SYSTEM_MODULE, '--token-label', LABEL, '--login', '--pin', PIN, '--list-objects']);
      const block = out.split(/\n(?=\S)/).find((b) => b.startsWith('Private Key Object') && b.includes(`ID:         ${id}`)) ?? '';
      expect(block).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
    });
  });

  it('RSA encrypt-data: OAEP SHA-1 is decrypted in the token (openssl encrypts); SHA-256 is refused by SoftHSM2 with KEYHOLD.0001', async () => {
    const keyId = await createKey(session, 'RSA_2048', { keystore_id: keystoreId, key_usage: 'ENCRYPT_DECRYPT' });
    writeFileSync(file('enc.pem'), (await kms(session, 'get-publickey', { key_id: keyId })).public_key);
    writeFileSync(file('secret.bin'), 'oaep secret');
    ok('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      'enc.pem',
      '-pkeyopt',
      'rsa_padding_mode:oaep',
      '-pkeyopt',
      'rsa_oaep_md:sha1',
      '-in',
      'secret.bin',
      '-out',
      'secret.enc',
    ]);
    const out = await kms(session, 'decrypt-data', {
      key_id: keyId,
      encryption_algorithm: 'RSAES_OAEP_SHA_1',
      cipher_text: readFileSync(file('secret.enc')).toString('base64'),
    });
    expect(out.plain_text).toBe('oaep secret');
    const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, encryption_algorithm: 'RSAES_OAEP_SHA_256', plain_text: 'x' });
    const e = await expectCode(kms(session, 'decrypt-data', { key_id: keyId, encryption_algorithm: 'RSAES_OAEP_SHA_256', cipher_text }), 'KEYHOLD.0001');
    expect(e.message).toContain('RSA-OAEP (sha256)');
  });

  it.each(['HMAC_256', 'HMAC_384', 'HMAC_512'] as const)(
    '%s in the token: generate-mac equals pkcs11-tool --sign with the same object; verify-mac; another message or MAC does not verify',
    async (spec) => {
      const keyId = await createKey(session, spec, { keystore_id: keystoreId });
      const bits = spec.slice(-3);
      const mac_algorithm = `HMAC_SHA_${bits}`;
      const message = Buffer.from('mac me').toString('base64');
      const { mac } = await kms(session, 'generate-mac', { key_id: keyId, mac_algorithm, message });
      expect(mac).toHaveLength(Number(bits) / 4);
      // OpenSC's own client computes the MAC with the key's object, by the id the vault holds.
      const id = (readKey(session, keyId).versions[0]?.material as string).split('.')[3] as string;
      writeFileSync(file('mac-msg.bin'), 'mac me');
      ok('pkcs11-tool', [
        '--module',
        SYSTEM_MODULE,
        '--token-label',
        LABEL,
        '--login',
        '--pin',
        PIN,
        '--sign',
        '-m',
        `SHA${bits}-HMAC`,
        '--id',
        id,
        '-i',
        'mac-msg.bin',
        '-o',
        'mac-out.bin',
      ]);
      expect(readFileSync(file('mac-out.bin')).toString('hex')).toBe(mac);
      expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm, message, mac })).mac_valid).toBe(true);
      expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm, message: Buffer.from('other').toString('base64'), mac })).mac_valid).toBe(false);
      const flipped = (mac[0] === '0' ? '1' : '0') + mac.slice(1);
      expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm, message, mac: flipped })).mac_valid).toBe(false);
    },
  );

  it('SM4, SM2, ED25519 and HMAC_SM3 keys are refused in a token (KEYHOLD.0001), and no key is left behind', async () => {
    for (const spec of ['SM4', 'SM2', 'ED25519', 'HMAC_SM3'] as const) {
      const before = (await kms(session, 'list-keys', { key_spec: 'ALL', limit: '1000' })).total;
      const e = await expectCode(kms(session, 'create-key', { key_alias: `tok/${spec}`, key_spec: spec, keystore_id: keystoreId }), 'KEYHOLD.0001');
      expect(e.message).toContain('PKCS#11 key store cannot hold');
      expect((await kms(session, 'list-keys', { key_spec: 'ALL', limit: '1000' })).total).toBe(before);
    }
  });

  it('bring your own key into a token is refused, naming what is missing', async () => {
    const e = await expectCode(kms(session, 'create-key', { key_alias: 'tok/byok', keystore_id: keystoreId, origin: 'external' }), 'KEYHOLD.0001');
    expect(e.message).toContain('CKM_RSA_PKCS_OAEP');
  });

  it('create-key-store is local only: no HTTP route; the other key-store operations keep the cloud routes', () => {
    const create = findOperation('kms', 'create-key-store');
    expect(create?.decl.route).toBeUndefined();
    expect(create?.decl.localFiles).toBe(true);
    const routes = JSON.stringify([...buildRoutes().values()].flat().map((r) => (r as { op?: { decl: { name: string } } }).op?.decl.name));
    expect(routes).not.toContain('create-key-store');
    expect(findOperation('kms', 'list-key-stores')?.decl.route?.path).toBe('/v1.0/{project_id}/keystores');
  });

  describe('refusals and failures leave the vault unchanged', () => {
    it('a wrong PIN is KEYHOLD.0604', async () => {
      const before = vaultState();
      const e = await expectCode(
        kms(session, 'create-key-store', {
          keystore_alias: 'bad-pin',
          keystore_type: 'PKCS11',
          pkcs11_module: module,
          token_label: OTHER_LABEL,
          pin: '000000',
        }),
        'KEYHOLD.0604',
      );
      expect(e.message).toContain('CKR_PIN_INCORRECT');
      expect(vaultState()).toBe(before);
    });

    it('a token that already backs a key store is refused a second one (KEYHOLD.0610), whatever PIN is given', async () => {
      const before = vaultState();
      // This process is logged in to it already, so the token would not check the PIN again.
      for (const pin of [PIN, '000000']) {
        await expectCode(
          kms(session, 'create-key-store', { keystore_alias: `again-${pin}`, keystore_type: 'PKCS11', pkcs11_module: module, token_label: LABEL, pin }),
          'KEYHOLD.0610',
        );
      }
      expect(vaultState()).toBe(before);
    });

    it('another vault in this process cannot make a store of a token already logged in to, right PIN or wrong (KEYHOLD.0610)', async () => {
      const other = await newSession();
      try {
        await kms(other.session, 'create-key-store', {
          keystore_alias: 'other',
          keystore_type: 'PKCS11',
          pkcs11_module: module,
          token_label: OTHER_LABEL,
          pin: PIN,
        });
        const third = await newSession();
        try {
          expect((await kms(third.session, 'list-key-stores')).total).toBe(0);
          const before = vaultState(third.session);
          const e = await expectCode(
            kms(third.session, 'create-key-store', {
              keystore_alias: 'third',
              keystore_type: 'PKCS11',
              pkcs11_module: module,
              token_label: OTHER_LABEL,
              pin: '000000',
            }),
            'KEYHOLD.0610',
          );
          expect(e.message).toContain('PIN cannot be checked');
          expect(vaultState(third.session)).toBe(before);
        } finally {
          third.session.close();
        }
      } finally {
        other.session.close();
      }
    });

    it('web mode (HTTP) refuses create-key-store before any module is looked at: a module path never comes from a request', async () => {
      const ws = new Workspace(join(tempDir(), 'vault.db'), { transport: 'http', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
      await ws.create('web password');
      try {
        const hostile = { keystore_alias: 'planted', keystore_type: 'PKCS11', pkcs11_module: module, token_label: LABEL, pin: PIN };
        await expect(dispatchUiCall(ws, 'createKeyStore', hostile, 'http')).rejects.toMatchObject({ code: 'KEYHOLD.0001', status: 403 });
        expect(await dispatchUiCall(ws, 'listKeyStores', {}, 'http')).toEqual({ keystores: [], total: 0 });
      } finally {
        await ws.lock('user');
      }
    });

    it('a module path that is relative, missing, writable by others or not a file is refused before loading', async () => {
      const before = vaultState();
      const create = (pkcs11_module: string) =>
        kms(session, 'create-key-store', { keystore_alias: 'bad-module', keystore_type: 'PKCS11', pkcs11_module, token_label: LABEL, pin: PIN });
      await expectCode(create('libsofthsm2.so'), 'KEYHOLD.0601');
      await expectCode(create(file('no-such-module.so')), 'KEYHOLD.0602');
      await expectCode(create(dir), 'KEYHOLD.0601');
      copyFileSync(SYSTEM_MODULE, file('open.so'));
      chmodSync(file('open.so'), 0o777);
      const e = await expectCode(create(file('open.so')), 'KEYHOLD.0601');
      expect(e.message).toContain('writable by group or others');
      writeFileSync(file('not-a-module.so'), 'not ELF');
      chmodSync(file('not-a-module.so'), 0o755);
      await expectCode(create(file('not-a-module.so')), 'KEYHOLD.0602');
      expect(vaultState()).toBe(before);
    });

    it('a token label no slot has is KEYHOLD.0603', async () => {
      await expectCode(
        kms(session, 'create-key-store', { keystore_alias: 'no-token', keystore_type: 'PKCS11', pkcs11_module: module, token_label: 'absent', pin: PIN }),
        'KEYHOLD.0603',
      );
    });

    it('token directory moved away: KEYHOLD.0605, listed unavailable, nothing changes; back in place, it works again', async () => {
      const keyId = await createKey(session, 'AES_256', { keystore_id: keystoreId });
      const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'before removal' });
      const before = vaultState();
      renameSync(tokenDir, `${tokenDir}.away`);
      try {
        await expectCode(kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x' }), 'KEYHOLD.0605');
        await expectCode(kms(session, 'decrypt-data', { cipher_text }), 'KEYHOLD.0605');
        await expectCode(kms(session, 'create-key', { key_alias: 'tok/while-away', keystore_id: keystoreId }), 'KEYHOLD.0605');
        const list = await kms(session, 'list-key-stores');
        expect(list.keystores[0]).toMatchObject({ keystore_id: keystoreId, availability: 'unavailable', unavailable_reason: { error_code: 'KEYHOLD.0605' } });
        expect(vaultState()).toBe(before);
      } finally {
        renameSync(`${tokenDir}.away`, tokenDir);
      }
      expect((await kms(session, 'list-key-stores')).keystores[0].availability).toBe('available');
      expect((await kms(session, 'decrypt-data', { cipher_text })).plain_text).toBe('before removal');
    });

    it('session closed from outside (C_CloseAllSessions): KEYHOLD.0605 once, then the store reconnects by itself', async () => {
      const keyId = await createKey(session, 'HMAC_256', { keystore_id: keystoreId });
      const message = Buffer.from('m').toString('base64');
      const { mac } = await kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: 'HMAC_SHA_256', message });
      // Another user of the same module in this process closes every session on the token.
      const other = new pkcs11js.PKCS11();
      other.load(module);
      try {
        other.C_Initialize();
      } catch (e) {
        expect((e as Error).message).toBe('CKR_CRYPTOKI_ALREADY_INITIALIZED');
      }
      const slot = other.C_GetSlotList(true).find((s) => other.C_GetTokenInfo(s).label.trim() === LABEL);
      other.C_CloseAllSessions(slot as Buffer);
      const before = vaultState();
      await expectCode(kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: 'HMAC_SHA_256', message }), 'KEYHOLD.0605');
      expect(vaultState()).toBe(before);
      expect((await kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: 'HMAC_SHA_256', message })).mac).toBe(mac);
    });

    it('module gone when the vault opens: KEYHOLD.0602, listed unavailable, vault intact; back in place, it works', async () => {
      const keyId = await createKey(session, 'AES_256', { keystore_id: keystoreId });
      const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'module test' });
      const before = vaultState();
      session.close();
      renameSync(module, `${module}.away`);
      try {
        session = await Session.open(vaultPath, { password: TEST_PASSWORD });
        await expectCode(kms(session, 'decrypt-data', { cipher_text }), 'KEYHOLD.0602');
        const list = await kms(session, 'list-key-stores');
        expect(list.keystores[0]).toMatchObject({ availability: 'unavailable', unavailable_reason: { error_code: 'KEYHOLD.0602' } });
        expect(vaultState()).toBe(before);
        expect(await session.invoke('vaultVerify', {}, 'cli')).toMatchObject({ valid: true });
      } finally {
        renameSync(`${module}.away`, module);
      }
      expect((await kms(session, 'decrypt-data', { cipher_text })).plain_text).toBe('module test');
    });

    it('a disabled store refuses its keys (KEYHOLD.0607) until enabled; a store with keys cannot be deleted (KEYHOLD.0609)', async () => {
      const keyId = await createKey(session, 'AES_256', { keystore_id: keystoreId });
      await kms(session, 'disable-key-store', { keystore_id: keystoreId });
      expect((await kms(session, 'show-key-store', { keystore_id: keystoreId })).keystore).toMatchObject({
        keystore_state: 'DISABLED',
        availability: 'disabled',
      });
      await expectCode(kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x' }), 'KEYHOLD.0607');
      await expectCode(kms(session, 'create-key', { key_alias: 'tok/disabled', keystore_id: keystoreId }), 'KEYHOLD.0607');
      await kms(session, 'enable-key-store', { keystore_id: keystoreId });
      await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x' });
      await expectCode(kms(session, 'delete-key-store', { keystore_id: keystoreId }), 'KEYHOLD.0609');
      await expectCode(kms(session, 'show-key-store', { keystore_id: '00000000-0000-0000-0000-000000000000' }), 'KEYHOLD.0608');
    });
  });

  describe('token objects follow their keys', () => {
    /** The CKA_IDs pkcs11-tool lists in the test token (any class), as hex. */
    function objectIds(): string[] {
      const out = ok('pkcs11-tool', ['--module', SYSTEM_MODULE, '--token-label', LABEL, '--login', '--pin', PIN, '--list-objects']);
      return [...out.matchAll(/ID:\s+([0-9a-f]+)/g)].map((m) => m[1] as string);
    }
    const idOf = (material: string) => material.split('.')[3] as string;

    it('a key whose deletion completes has its token objects destroyed (pkcs11-tool no longer lists them); other keys keep theirs', async () => {
      const aes = await createKey(session, 'AES_256', { keystore_id: keystoreId });
      const ec = await createKey(session, 'EC_P256', { keystore_id: keystoreId });
      const kept = await createKey(session, 'AES_256', { keystore_id: keystoreId });
      await kms(session, 'rotate-on-demand', { key_id: aes });
      const gone = [...readKey(session, aes).versions, ...readKey(session, ec).versions].map((v) => idOf(v.material));
      const keptId = idOf(readKey(session, kept).versions[0]?.material as string);
      expect(gone).toHaveLength(3);
      const before = objectIds();
      for (const id of [...gone, keptId]) expect(before).toContain(id);
      // An EC key pair is two objects (private and public) with one CKA_ID.
      expect(before.filter((id) => id === gone[2])).toHaveLength(2);
      for (const key_id of [aes, ec]) await kms(session, 'schedule-key-deletion', { key_id, pending_days: '7' });
      expect(objectIds()).toEqual(before);

      const later = await Session.open(vaultPath, { password: TEST_PASSWORD }, { now: () => Date.now() + 8 * 86_400_000 });
      try {
        expect(later.vault.read('kms_keys', aes)).toBeUndefined();
        expect(later.vault.read('kms_keys', ec)).toBeUndefined();
      } finally {
        later.close();
      }
      const after = objectIds();
      for (const id of gone) expect(after).not.toContain(id);
      expect(after).toContain(keptId);
      expect(
        (await kms(session, 'decrypt-data', { cipher_text: (await kms(session, 'encrypt-data', { key_id: kept, plain_text: 'still here' })).cipher_text }))
          .plain_text,
      ).toBe('still here');
    });

    it('create-key generates in the token before its transaction; a commit that is refused (alias taken meanwhile) destroys the new object', async () => {
      const phases = phasesOf(lifecycleHandlers.createKey);
      expect(phases).toBeDefined();
      const ctx = { ...memoryKmsContext(), keyStores: new KeyStoreConnections() };
      try {
        ctx.store.put(KEYSTORE_TABLE, keystoreId, session.vault.read<KeyStoreRecord>(KEYSTORE_TABLE, keystoreId));
        const input = {
          key_alias: 'tok/raced',
          key_spec: 'AES_256',
          key_usage: 'ENCRYPT_DECRYPT',
          key_description: '',
          origin: 'kms',
          keystore_id: keystoreId,
        };
        const material = (await phases?.network(ctx, input)) as WrappedKey;
        expect(objectIds()).toContain(idOf(material));
        // Another writer takes the alias between the generation and the commit.
        await newKey(ctx, { key_alias: 'tok/raced', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', key_description: '', origin: 'kms' });
        await expectCode(
          Promise.resolve().then(() => phases?.commit(ctx, input, material)),
          'KMS.1104',
        );
        expect(objectIds()).not.toContain(idOf(material));
      } finally {
        ctx.keyStores.closeAll();
      }
    });

    it('rotate-on-demand likewise: its new object is made before the transaction, and destroyed when the commit finds the key disabled meanwhile', async () => {
      const phases = phasesOf(rotationHandlers.rotateOnDemand);
      const ctx = { ...memoryKmsContext(), keyStores: new KeyStoreConnections() };
      try {
        ctx.store.put(KEYSTORE_TABLE, keystoreId, session.vault.read<KeyStoreRecord>(KEYSTORE_TABLE, keystoreId));
        const key = await newKey(ctx, {
          key_alias: 'tok/rotated',
          key_spec: 'AES_256',
          key_usage: 'ENCRYPT_DECRYPT',
          key_description: '',
          origin: 'kms',
          keystore_id: keystoreId,
        });
        const material = (await phases?.network(ctx, { key_id: key.key_id })) as WrappedKey;
        expect(objectIds()).toContain(idOf(material));
        ctx.store.put('kms_keys', key.key_id, { ...key, key_state: '3' });
        await expectCode(
          Promise.resolve().then(() => phases?.commit(ctx, { key_id: key.key_id }, material)),
          'KMS.0209',
        );
        expect(objectIds()).not.toContain(idOf(material));
        expect(objectIds()).toContain(idOf(key.versions[0]?.material as string));
      } finally {
        ctx.keyStores.closeAll();
      }
    });
  });
});
