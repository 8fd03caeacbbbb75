// sign/verify/get-publickey and RSA encrypt-data: round trips for every spec and algorithm,
// and the typed errors for wrong usage, wrong algorithm, wrong digest length. (Interop with
// openssl is in test/integration/kms-openssl.test.ts.)
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { KEY_SPEC_TABLE } from '../../../electron/core/kms/key-specs.js';
import type { KeySpec } from '../../../shared/constants.js';
import { createKey, expectCode, kms } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

let session: Session;
beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

const message = Buffer.from('sign me');
const SIGNING_SPECS: KeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384', 'SECP256K1'];

describe.each(SIGNING_SPECS)('%s', (spec) => {
  let keyId: string;
  beforeAll(async () => {
    keyId = await createKey(session, spec);
  });
  it('exports an SPKI PEM public key', async () => {
    const { public_key } = await kms(session, 'get-publickey', { key_id: keyId });
    expect(public_key).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(createPublicKey(public_key).asymmetricKeyType).toBe(spec.startsWith('RSA') ? 'rsa' : 'ec');
  });
  for (const alg of KEY_SPEC_TABLE[spec].signing) {
    it(`${alg}: RAW and DIGEST signatures verify, and node:crypto verifies the RAW one`, async () => {
      const hash = `sha${alg.slice(-3)}`;
      const digest = createHash(hash).update(message).digest();
      const raw = await kms(session, 'sign', { key_id: keyId, signing_algorithm: alg, message_type: 'RAW', message: message.toString('base64') });
      const dig = await kms(session, 'sign', { key_id: keyId, signing_algorithm: alg, message: digest.toString('base64') });
      for (const [type, m, sig] of [
        ['RAW', message, raw.signature],
        ['DIGEST', digest, dig.signature],
        // A DIGEST signature is a signature of the message: the two modes are interchangeable.
        ['RAW', message, dig.signature],
      ] as const) {
        const v = await kms(session, 'validate-signature', {
          key_id: keyId,
          signing_algorithm: alg,
          message_type: type,
          message: m.toString('base64'),
          signature: sig,
        });
        expect(v).toEqual({ key_id: keyId, signature_valid: 'true' });
      }
      const pub = createPublicKey((await kms(session, 'get-publickey', { key_id: keyId })).public_key);
      const pss = alg.includes('PSS') ? { padding: 6, saltLength: -1 } : {};
      expect(nodeVerify(hash, message, { key: pub, ...pss }, Buffer.from(raw.signature, 'base64'))).toBe(true);
      const bad = await kms(session, 'verify', {
        key_id: keyId,
        signing_algorithm: alg,
        message_type: 'RAW',
        message: Buffer.from('other').toString('base64'),
        signature: raw.signature,
      });
      expect(bad.signature_valid).toBe('false');
    });
  }
  it('a DIGEST of the wrong length and an algorithm of another key type are KMS.0308', async () => {
    const alg = KEY_SPEC_TABLE[spec].signing[0]!;
    await expectCode(kms(session, 'sign', { key_id: keyId, signing_algorithm: alg, message: Buffer.alloc(20).toString('base64') }), 'KMS.0308');
    const foreign = spec.startsWith('RSA') ? 'ECDSA_SHA_256' : 'RSASSA_PSS_SHA_256';
    await expectCode(kms(session, 'sign', { key_id: keyId, signing_algorithm: foreign, message: Buffer.alloc(32).toString('base64') }), 'KMS.0308');
  });
});

describe('usage and spec errors', () => {
  it('an AES key neither signs nor exports a public key; an RSA signing key does not encrypt (KMS.0308)', async () => {
    const aes = await createKey(session);
    await expectCode(kms(session, 'sign', { key_id: aes, signing_algorithm: 'ECDSA_SHA_256', message: Buffer.alloc(32).toString('base64') }), 'KMS.0308');
    await expectCode(kms(session, 'get-publickey', { key_id: aes }), 'KMS.0308');
    const rsa = await createKey(session, 'RSA_2048');
    await expectCode(kms(session, 'encrypt-data', { key_id: rsa, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }), 'KMS.0308');
  });
  it('an invalid spec/usage pair is refused at create-key with KMS.0308', async () => {
    await expectCode(kms(session, 'create-key', { key_alias: 'bad1', key_spec: 'EC_P256', key_usage: 'ENCRYPT_DECRYPT' }), 'KMS.0308');
    await expectCode(kms(session, 'create-key', { key_alias: 'bad2', key_spec: 'AES_256', key_usage: 'SIGN_VERIFY' }), 'KMS.0308');
    await expectCode(kms(session, 'create-key', { key_alias: 'bad3', key_spec: 'HMAC_256', key_usage: 'ENCRYPT_DECRYPT' }), 'KMS.0308');
    await expectCode(kms(session, 'create-key', { key_alias: 'bad5', key_spec: 'RSA_1024' }), 'KMS.0308');
  });
});

describe('RSA encrypt-data / decrypt-data', () => {
  it('OAEP SHA-256 and SHA-1 round-trip; the wrong algorithm, too long a plaintext, a missing key_id fail with typed codes', async () => {
    const keyId = await createKey(session, 'RSA_2048', { key_usage: 'ENCRYPT_DECRYPT' });
    for (const alg of ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1']) {
      const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'héllo', encryption_algorithm: alg });
      expect(Buffer.from(cipher_text, 'base64')).toHaveLength(256);
      expect(await kms(session, 'decrypt-data', { key_id: keyId, cipher_text, encryption_algorithm: alg })).toEqual({
        key_id: keyId,
        plain_text: 'héllo',
        plain_text_base64: Buffer.from('héllo').toString('base64'),
      });
    }
    const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' });
    await expectCode(kms(session, 'decrypt-data', { key_id: keyId, cipher_text, encryption_algorithm: 'RSAES_OAEP_SHA_1' }), 'KMS.2201');
    await expectCode(kms(session, 'decrypt-data', { cipher_text, encryption_algorithm: 'RSAES_OAEP_SHA_256' }), 'KMS.0204');
    await expectCode(kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x'.repeat(191), encryption_algorithm: 'RSAES_OAEP_SHA_256' }), 'KMS.2101');
    expect(
      (await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x'.repeat(190), encryption_algorithm: 'RSAES_OAEP_SHA_256' })).cipher_text,
    ).toBeTruthy();
    await expectCode(kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'x', encryption_algorithm: 'SYMMETRIC_DEFAULT' }), 'KMS.0308');
  });
});
