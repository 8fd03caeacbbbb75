// Interop with the real openssl (spawned): every signing algorithm in both directions and both
// message types, RSA OAEP encryption both ways, and bring-your-own key material wrapped with
// exactly the commands of the cloud's import guide (seed 001) for every wrapping algorithm.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import type { HsmKeyKind } from '../../electron/core/hsm/backend.js';
import type { KeySpec, SigningAlgorithm } from '../../shared/constants.js';
import { createKey, kms, putKeyPair } from '../helpers/kms.js';
import { newSession } from '../helpers/vault.js';

let session: Session;
let dir: string;
beforeAll(async () => {
  ({ session, dir } = await newSession());
});
afterAll(() => session.close());

function openssl(args: string[]): { status: number; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
function ok(args: string[]): string {
  const r = openssl(args);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}
const file = (name: string) => join(dir, name);

interface Case {
  spec: KeySpec;
  kind: HsmKeyKind;
  genpkey: string[];
  algorithms: SigningAlgorithm[];
}
const CASES: Case[] = [
  {
    spec: 'RSA_2048',
    kind: 'rsa-2048',
    genpkey: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    algorithms: [
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
    ],
  },
  {
    spec: 'EC_P256',
    kind: 'ec-p256',
    genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    algorithms: ['ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512'],
  },
  {
    spec: 'EC_P384',
    kind: 'ec-p384',
    genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    algorithms: ['ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512'],
  },
  {
    spec: 'SECP256K1',
    kind: 'ec-secp256k1',
    genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
    algorithms: ['ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512'],
  },
];

const hashOf = (alg: SigningAlgorithm) => `sha${alg.slice(-3)}`;
/** openssl options for the padding; PSS salt length pinned to the digest length (docs/kms.md). */
const dgstPadding = (alg: SigningAlgorithm) => (alg.startsWith('RSASSA_PSS') ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] : []);
const pkeyPadding = (alg: SigningAlgorithm, saltlen = 'digest') =>
  alg.startsWith('RSASSA_PSS')
    ? ['-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', `rsa_pss_saltlen:${saltlen}`]
    : alg.startsWith('RSASSA_PKCS1')
      ? ['-pkeyopt', 'rsa_padding_mode:pkcs1']
      : [];

describe.each(CASES)('$spec: Keyhold signs, openssl verifies', ({ spec, algorithms }) => {
  let keyId: string;
  beforeAll(async () => {
    keyId = await createKey(session, spec);
    const { public_key } = await kms(session, 'get-publickey', { key_id: keyId });
    writeFileSync(file(`${spec}.pub.pem`), public_key);
    writeFileSync(file('msg.bin'), 'message to sign, from Keyhold');
    writeFileSync(file('other.bin'), 'a different message');
  });
  it.each(algorithms)('%s RAW: openssl dgst -verify accepts it, and rejects it for another message', async (alg) => {
    const { signature } = await kms(session, 'sign', {
      key_id: keyId,
      signing_algorithm: alg,
      message_type: 'RAW',
      message: readFileSync(file('msg.bin')).toString('base64'),
    });
    writeFileSync(file('sig.bin'), Buffer.from(signature, 'base64'));
    const args = [`-${hashOf(alg)}`, '-verify', `${spec}.pub.pem`, ...dgstPadding(alg), '-signature', 'sig.bin'];
    expect(ok(['dgst', ...args, 'msg.bin'])).toContain('Verified OK');
    expect(openssl(['dgst', ...args, 'other.bin']).status).not.toBe(0);
  });
  it.each(algorithms)('%s DIGEST: openssl pkeyutl -verify accepts the signature of the digest', async (alg) => {
    ok(['dgst', `-${hashOf(alg)}`, '-binary', '-out', 'digest.bin', 'msg.bin']);
    const { signature } = await kms(session, 'sign', {
      key_id: keyId,
      signing_algorithm: alg,
      message_type: 'DIGEST',
      message: readFileSync(file('digest.bin')).toString('base64'),
    });
    writeFileSync(file('sig.bin'), Buffer.from(signature, 'base64'));
    const args = ['pkeyutl', '-verify', '-pubin', '-inkey', `${spec}.pub.pem`, '-sigfile', 'sig.bin', '-pkeyopt', `digest:${hashOf(alg)}`, ...pkeyPadding(alg)];
    expect(ok([...args, '-in', 'digest.bin'])).toContain('Signature Verified Successfully');
    ok(['dgst', `-${hashOf(alg)}`, '-binary', '-out', 'digest2.bin', 'other.bin']);
    expect(openssl([...args, '-in', 'digest2.bin']).status).not.toBe(0);
  });
});

describe.each(CASES)('$spec: openssl signs, Keyhold verifies', ({ spec, kind, genpkey, algorithms }) => {
  let keyId: string;
  beforeAll(async () => {
    ok(['genpkey', ...genpkey, '-out', `${spec}.key.pem`]);
    ok(['pkcs8', '-topk8', '-nocrypt', '-in', `${spec}.key.pem`, '-outform', 'DER', '-out', `${spec}.key.der`]);
    keyId = await putKeyPair(session, spec, kind, readFileSync(file(`${spec}.key.der`)));
    writeFileSync(file('msg2.bin'), 'message to sign, from openssl');
  });
  const verifyWith = async (alg: SigningAlgorithm, type: 'RAW' | 'DIGEST', message: Buffer, sig: Buffer) =>
    (
      await kms(session, 'verify', {
        key_id: keyId,
        signing_algorithm: alg,
        message_type: type,
        message: message.toString('base64'),
        signature: sig.toString('base64'),
      })
    ).signature_valid;

  it.each(algorithms)('%s RAW: openssl dgst -sign output verifies; a flipped byte does not', async (alg) => {
    ok(['dgst', `-${hashOf(alg)}`, '-sign', `${spec}.key.pem`, ...dgstPadding(alg), '-out', 'osig.bin', 'msg2.bin']);
    const sig = readFileSync(file('osig.bin'));
    expect(await verifyWith(alg, 'RAW', readFileSync(file('msg2.bin')), sig)).toBe('true');
    sig[sig.length >> 1] = (sig[sig.length >> 1] as number) ^ 0x01;
    expect(await verifyWith(alg, 'RAW', readFileSync(file('msg2.bin')), sig)).toBe('false');
  });
  it.each(algorithms)('%s DIGEST: openssl pkeyutl -sign output verifies; another digest does not', async (alg) => {
    ok(['dgst', `-${hashOf(alg)}`, '-binary', '-out', 'odigest.bin', 'msg2.bin']);
    // PSS signed with openssl's largest salt: Keyhold accepts any salt length when verifying.
    ok([
      'pkeyutl',
      '-sign',
      '-inkey',
      `${spec}.key.pem`,
      '-in',
      'odigest.bin',
      '-out',
      'osig.bin',
      '-pkeyopt',
      `digest:${hashOf(alg)}`,
      ...pkeyPadding(alg, 'max'),
    ]);
    const sig = readFileSync(file('osig.bin'));
    const digest = readFileSync(file('odigest.bin'));
    expect(await verifyWith(alg, 'DIGEST', digest, sig)).toBe('true');
    expect(await verifyWith(alg, 'DIGEST', createHash(hashOf(alg)).update('x').digest(), sig)).toBe('false');
  });
});

describe('RSA OAEP encryption with openssl', () => {
  for (const [alg, md] of [
    ['RSAES_OAEP_SHA_256', 'sha256'],
    ['RSAES_OAEP_SHA_1', 'sha1'],
  ] as const) {
    it(`${alg}: openssl pkeyutl -encrypt with the exported public key → Keyhold decrypt-data`, async () => {
      const keyId = await createKey(session, 'RSA_3072', { key_usage: 'ENCRYPT_DECRYPT' });
      writeFileSync(file('oaep.pub.pem'), (await kms(session, 'get-publickey', { key_id: keyId })).public_key);
      writeFileSync(file('oaep.in'), 'secret for Keyhold');
      ok([
        'pkeyutl',
        '-encrypt',
        '-pubin',
        '-inkey',
        'oaep.pub.pem',
        '-in',
        'oaep.in',
        '-out',
        'oaep.ct',
        '-pkeyopt',
        'rsa_padding_mode:oaep',
        '-pkeyopt',
        `rsa_oaep_md:${md}`,
      ]);
      const r = await kms(session, 'decrypt-data', { key_id: keyId, encryption_algorithm: alg, cipher_text: readFileSync(file('oaep.ct')).toString('base64') });
      expect(r.plain_text).toBe('secret for Keyhold');
    });
    it(`${alg}: Keyhold encrypt-data → openssl pkeyutl -decrypt with the private key`, async () => {
      ok(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'enc.key.pem']);
      ok(['pkcs8', '-topk8', '-nocrypt', '-in', 'enc.key.pem', '-outform', 'DER', '-out', 'enc.key.der']);
      const keyId = await putKeyPair(session, 'RSA_2048', 'rsa-2048', readFileSync(file('enc.key.der')), 'ENCRYPT_DECRYPT');
      const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, encryption_algorithm: alg, plain_text: 'secret for openssl' });
      writeFileSync(file('k.ct'), Buffer.from(cipher_text, 'base64'));
      ok(['pkeyutl', '-decrypt', '-inkey', 'enc.key.pem', '-in', 'k.ct', '-out', 'k.pt', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${md}`]);
      expect(readFileSync(file('k.pt'), 'utf8')).toBe('secret for openssl');
    });
  }
});

/** The import guide's wrapping command for each algorithm (seed 001, table 2), verbatim flags. */
const WRAP: Record<string, string[]> = {
  RSAES_OAEP_SHA_256: [
    'pkeyutl',
    '-in',
    'PlaintextKeyMaterial.bin',
    '-inkey',
    'PublicKey.bin',
    '-out',
    'EncryptedKeyMaterial.bin',
    '-keyform',
    'der',
    '-pubin',
    '-encrypt',
    '-pkeyopt',
    'rsa_padding_mode:oaep',
    '-pkeyopt',
    'rsa_oaep_md:sha256',
  ],
  RSAES_PKCS1_V1_5: [
    'rsautl',
    '-encrypt',
    '-in',
    'PlaintextKeyMaterial.bin',
    '-pkcs',
    '-inkey',
    'PublicKey.bin',
    '-keyform',
    'der',
    '-pubin',
    '-out',
    'EncryptedKeyMaterial.bin',
  ],
  RSAES_OAEP_SHA_1: [
    'pkeyutl',
    '-in',
    'PlaintextKeyMaterial.bin',
    '-inkey',
    'PublicKey.bin',
    '-out',
    'EncryptedKeyMaterial.bin',
    '-keyform',
    'der',
    '-pubin',
    '-encrypt',
    '-pkeyopt',
    'rsa_padding_mode:oaep',
    '-pkeyopt',
    'rsa_oaep_md:sha1',
  ],
};

/** Imports openssl-generated material the guide's way; returns the material. */
async function importWithOpenssl(keyId: string, algorithm: string): Promise<Buffer> {
  const params = await kms(session, 'get-parameters-for-import', { key_id: keyId, wrapping_algorithm: algorithm });
  writeFileSync(file('PublicKey.b64'), params.public_key);
  ok(['enc', '-d', '-base64', '-A', '-in', 'PublicKey.b64', '-out', 'PublicKey.bin']);
  ok(['rand', '-out', 'PlaintextKeyMaterial.bin', '32']);
  ok(WRAP[algorithm] as string[]);
  await kms(session, 'import-key-material', {
    key_id: keyId,
    import_token: params.import_token,
    encrypted_key_material: readFileSync(file('EncryptedKeyMaterial.bin')).toString('base64'),
  });
  return readFileSync(file('PlaintextKeyMaterial.bin'));
}

describe.each(Object.keys(WRAP))('bring your own key, wrapped with %s as the import guide does', (algorithm) => {
  it('AES_256: the imported key decrypts a ciphertext node:crypto made with the material (docs/ciphertext-format.md)', async () => {
    const keyId = await createKey(session, 'AES_256', { origin: 'external' });
    const material = await importWithOpenssl(keyId, algorithm);
    expect((await kms(session, 'describe-key', { key_id: keyId })).key_info.key_state).toBe('2');
    // Header: version 1, algorithm 1 (AES-256-GCM), key id, key version 1, IV; AAD: header ‖ two zero lengths.
    const iv = randomBytes(12);
    const header = Buffer.concat([Buffer.from([1, 1]), Buffer.from(keyId.replace(/-/g, ''), 'hex'), Buffer.from([0, 0, 0, 1]), iv]);
    const framed = Buffer.alloc(46);
    framed.writeUInt16BE(5, 0);
    framed.write('hello', 2);
    const c = createCipheriv('aes-256-gcm', material, iv);
    c.setAAD(Buffer.concat([header, Buffer.alloc(8)]));
    const body = Buffer.concat([c.update(framed), c.final()]);
    const cipher_text = Buffer.concat([header, body, c.getAuthTag()]).toString('base64');
    expect((await kms(session, 'decrypt-data', { cipher_text })).plain_text).toBe('hello');
  });
  it('HMAC_256: generate-mac equals openssl dgst -mac HMAC with the same material', async () => {
    const keyId = await createKey(session, 'HMAC_256', { origin: 'external' });
    const material = await importWithOpenssl(keyId, algorithm);
    writeFileSync(file('mac.in'), 'authenticate me');
    const expected = ok(['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${material.toString('hex')}`, 'mac.in'])
      .trim()
      .split(' ')
      .pop();
    const { mac } = await kms(session, 'generate-mac', {
      key_id: keyId,
      mac_algorithm: 'HMAC_SHA_256',
      message: Buffer.from('authenticate me').toString('base64'),
    });
    expect(mac).toBe(expected);
  });
});
