// Asymmetric BYOK with material made and wrapped by openssl as the import guide and the seed FAQ
// (1.17) describe it: `openssl genpkey` → PKCS#8 DER, a temporary AES-256 key, `openssl enc
// -id-aes256-wrap-pad` of the private key under it, `openssl pkeyutl` RSA-OAEP of the temporary key
// under the import wrapping key. Signatures of the imported key are verified by openssl with the
// original public key; every hostile variant is refused with its own code and nothing is stored.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { createKey, expectCode, kms, readKey } from '../helpers/kms.js';
import { newSession, tempDir } from '../helpers/vault.js';

let session: Session;
const dir = tempDir('keyhold-byok-asym-');
const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

const GENPKEY: Record<string, string[]> = {
  RSA_2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  RSA_3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  EC_P256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  EC_P384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  SECP256K1: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
  ED25519: ['-algorithm', 'ED25519'],
  SM2: ['-algorithm', 'SM2'],
};
const SIGN_ALG: Record<string, string> = {
  RSA_2048: 'RSASSA_PKCS1_V1_5_SHA_256',
  RSA_3072: 'RSASSA_PKCS1_V1_5_SHA_256',
  EC_P256: 'ECDSA_SHA_256',
  EC_P384: 'ECDSA_SHA_256',
  SECP256K1: 'ECDSA_SHA_256',
  ED25519: 'ED25519_SHA_512',
  SM2: 'SM2DSA_SM3',
};
/** openssl's verification of a RAW signature: SHA-256 for RSA/EC, pure Ed25519, SM2 with SM3 and the default distinguishing id. */
const VERIFY: Record<string, (pub: string, sig: string, msg: string) => string[]> = {
  ED25519: (pub, sig, msg) => ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', msg, '-sigfile', sig],
  SM2: (pub, sig, msg) => [
    'pkeyutl',
    '-verify',
    '-pubin',
    '-inkey',
    pub,
    '-rawin',
    '-digest',
    'sm3',
    '-in',
    msg,
    '-sigfile',
    sig,
    '-pkeyopt',
    'distid:1234567812345678',
  ],
};
const verifyArgs = (spec: string, pub: string, sig: string, msg: string) =>
  VERIFY[spec]?.(pub, sig, msg) ?? ['dgst', '-sha256', '-verify', pub, '-signature', sig, msg];

/**
 * A private key made by openssl, as PKCS#8 DER (the seed FAQ's `openssl pkcs8 -topk8 -nocrypt`,
 * since `genpkey -outform DER` writes the traditional form) and its public PEM.
 */
function opensslKey(name: string, spec: string): void {
  ossl(['genpkey', ...(GENPKEY[spec] as string[]), '-out', `${name}.pem`]);
  ossl(['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.p8.der`]);
  ossl(['pkey', '-in', `${name}.pem`, '-pubout', '-out', `${name}.pub.pem`]);
}

/** The import guide's wrapping, by openssl, for the parameters of `keyId`; returns the request fields. */
async function wrapForImport(keyId: string, name: string): Promise<{ import_token: string; encrypted_key_material: string; encrypted_privatekey: string }> {
  const p = await kms(session, 'get-parameters-for-import', { key_id: keyId, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
  writeFileSync(join(dir, `${name}.wrapping.der`), Buffer.from(p.public_key, 'base64'));
  ossl(['rand', '-out', `${name}.temp.bin`, '32']);
  const tempHex = readFileSync(join(dir, `${name}.temp.bin`)).toString('hex');
  ossl(['enc', '-id-aes256-wrap-pad', '-K', tempHex, '-iv', 'A65959A6', '-in', `${name}.p8.der`, '-out', `${name}.p8.wrapped`]);
  ossl([
    'pkeyutl',
    '-encrypt',
    '-pubin',
    '-keyform',
    'DER',
    '-inkey',
    `${name}.wrapping.der`,
    '-pkeyopt',
    'rsa_padding_mode:oaep',
    '-pkeyopt',
    'rsa_oaep_md:sha256',
    '-in',
    `${name}.temp.bin`,
    '-out',
    `${name}.temp.wrapped`,
  ]);
  return {
    import_token: p.import_token,
    encrypted_key_material: readFileSync(join(dir, `${name}.temp.wrapped`)).toString('base64'),
    encrypted_privatekey: readFileSync(join(dir, `${name}.p8.wrapped`)).toString('base64'),
  };
}

describe('asymmetric BYOK with openssl-made and openssl-wrapped keys', () => {
  for (const spec of Object.keys(GENPKEY)) {
    it(`${spec}: imported, its public key is the original's, its signatures verify with openssl`, async () => {
      const name = `k-${spec}`;
      opensslKey(name, spec);
      const keyId = await createKey(session, spec as never, { origin: 'external' });
      expect((await kms(session, 'describe-key', { key_id: keyId })).key_info.key_state).toBe('5');
      expect(await kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, name)) })).toEqual({});
      expect((await kms(session, 'describe-key', { key_id: keyId })).key_info.key_state).toBe('2');

      const pub = (await kms(session, 'get-publickey', { key_id: keyId })).public_key as string;
      const original = readFileSync(join(dir, `${name}.pub.pem`), 'utf8');
      expect(pub.replace(/\s+/g, '')).toBe(original.replace(/\s+/g, ''));

      writeFileSync(join(dir, `${name}.msg`), `release of ${spec}`);
      const sig = await kms(session, 'sign', {
        key_id: keyId,
        message: Buffer.from(`release of ${spec}`).toString('base64'),
        signing_algorithm: SIGN_ALG[spec],
        message_type: 'RAW',
      });
      writeFileSync(join(dir, `${name}.sig`), Buffer.from(sig.signature, 'base64'));
      expect(ossl(verifyArgs(spec, `${name}.pub.pem`, `${name}.sig`, `${name}.msg`)).toString()).toMatch(/Verified OK|Signature Verified Successfully/);
    });
  }

  it('re-import after delete-imported-key-material must be the same key (KMS.2606), and the same key comes back', async () => {
    opensslKey('again', 'EC_P256');
    opensslKey('other', 'EC_P256');
    const keyId = await createKey(session, 'EC_P256', { origin: 'external' });
    await kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, 'again')) });
    await kms(session, 'delete-imported-key-material', { key_id: keyId });
    await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, 'other')) }), 'KMS.2606');
    // The same key, wrapped afresh under another temporary key, is accepted.
    expect(await kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, 'again')) })).toEqual({});
    expect((await kms(session, 'get-publickey', { key_id: keyId })).public_key.replace(/\s+/g, '')).toBe(
      readFileSync(join(dir, 'again.pub.pem'), 'utf8').replace(/\s+/g, ''),
    );
  });

  describe('refusals, each with its own code, nothing stored', () => {
    const stays = async (keyId: string) => {
      const record = readKey(session, keyId);
      expect(record.key_state).toBe('5');
      expect(record.versions).toEqual([]);
    };

    it('a flipped byte in the wrapped private key is KMS.0311', async () => {
      opensslKey('flip1', 'EC_P256');
      const keyId = await createKey(session, 'EC_P256', { origin: 'external' });
      const req = await wrapForImport(keyId, 'flip1');
      const bad = Buffer.from(req.encrypted_privatekey, 'base64');
      bad[10] = (bad[10] as number) ^ 1;
      await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...req, encrypted_privatekey: bad.toString('base64') }), 'KMS.0311');
      await stays(keyId);
    });

    it('a flipped byte in the wrapped temporary key is KMS.0311', async () => {
      opensslKey('flip2', 'EC_P256');
      const keyId = await createKey(session, 'EC_P256', { origin: 'external' });
      const req = await wrapForImport(keyId, 'flip2');
      const bad = Buffer.from(req.encrypted_key_material, 'base64');
      bad[100] = (bad[100] as number) ^ 1;
      await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...req, encrypted_key_material: bad.toString('base64') }), 'KMS.0311');
      await stays(keyId);
    });

    it('an Ed25519 key for SM2, an SM2 key for EC_P256 and a P-256 key for SM2 are KMS.2604', async () => {
      opensslKey('ed-for-sm2', 'ED25519');
      const sm2 = await createKey(session, 'SM2', { origin: 'external' });
      await expectCode(kms(session, 'import-key-material', { key_id: sm2, ...(await wrapForImport(sm2, 'ed-for-sm2')) }), 'KMS.2604');
      await stays(sm2);
      opensslKey('p256-for-sm2', 'EC_P256');
      await expectCode(kms(session, 'import-key-material', { key_id: sm2, ...(await wrapForImport(sm2, 'p256-for-sm2')) }), 'KMS.2604');
      await stays(sm2);
      opensslKey('sm2-for-p256', 'SM2');
      const ec = await createKey(session, 'EC_P256', { origin: 'external' });
      await expectCode(kms(session, 'import-key-material', { key_id: ec, ...(await wrapForImport(ec, 'sm2-for-p256')) }), 'KMS.2604');
      await stays(ec);
      const ed = await createKey(session, 'ED25519', { origin: 'external' });
      await expectCode(kms(session, 'import-key-material', { key_id: ed, ...(await wrapForImport(ed, 'sm2-for-p256')) }), 'KMS.2604');
      await stays(ed);
    });

    it('a key of the wrong curve or size is KMS.2604', async () => {
      opensslKey('p384-for-p256', 'EC_P384');
      const ec = await createKey(session, 'EC_P256', { origin: 'external' });
      await expectCode(kms(session, 'import-key-material', { key_id: ec, ...(await wrapForImport(ec, 'p384-for-p256')) }), 'KMS.2604');
      await stays(ec);
      opensslKey('rsa2048-for-3072', 'RSA_2048');
      const rsa = await createKey(session, 'RSA_3072', { origin: 'external' });
      await expectCode(kms(session, 'import-key-material', { key_id: rsa, ...(await wrapForImport(rsa, 'rsa2048-for-3072')) }), 'KMS.2604');
      await stays(rsa);
    });

    it("a PKCS#8 key whose embedded public key is another key's is KMS.2604", async () => {
      opensslKey('mix-a', 'EC_P256');
      opensslKey('mix-b', 'EC_P256');
      // openssl writes the public point last (65 bytes, uncompressed) in an EC PKCS#8 key.
      const a = readFileSync(join(dir, 'mix-a.p8.der'));
      const b = readFileSync(join(dir, 'mix-b.p8.der'));
      expect(a.length).toBe(b.length);
      writeFileSync(join(dir, 'mix.p8.der'), Buffer.concat([a.subarray(0, a.length - 65), b.subarray(b.length - 65)]));
      const keyId = await createKey(session, 'EC_P256', { origin: 'external' });
      const e = await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, 'mix')) }), 'KMS.2604');
      expect(e.message).toContain('do not belong together');
      await stays(keyId);
    });

    it('bytes that are not PKCS#8 (random, or the traditional SEC1 form), and a token of another key, are refused', async () => {
      const keyId = await createKey(session, 'EC_P256', { origin: 'external' });
      writeFileSync(join(dir, 'junk.p8.der'), randomBytes(120));
      await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, 'junk')) }), 'KMS.2604');
      ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-outform', 'DER', '-out', 'sec1.p8.der']);
      const e = await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...(await wrapForImport(keyId, 'sec1')) }), 'KMS.2604');
      expect(e.message).toContain('openssl pkcs8 -topk8 -nocrypt');
      opensslKey('foreign', 'EC_P256');
      const other = await createKey(session, 'EC_P256', { origin: 'external' });
      const req = await wrapForImport(other, 'foreign');
      await expectCode(kms(session, 'import-key-material', { key_id: keyId, ...req }), 'KMS.2603');
      await stays(keyId);
    });

    it('an asymmetric import without encrypted_privatekey, and a symmetric one with it, name the field', async () => {
      opensslKey('missing', 'EC_P256');
      const keyId = await createKey(session, 'EC_P256', { origin: 'external' });
      const req = await wrapForImport(keyId, 'missing');
      const e = await expectCode(
        kms(session, 'import-key-material', { key_id: keyId, import_token: req.import_token, encrypted_key_material: req.encrypted_key_material }),
        'KMS.0204',
      );
      expect(e.message).toContain('encrypted_privatekey');
      const aes = await createKey(session, 'AES_256', { origin: 'external' });
      const p = await kms(session, 'get-parameters-for-import', { key_id: aes });
      const e2 = await expectCode(
        kms(session, 'import-key-material', {
          key_id: aes,
          import_token: p.import_token,
          encrypted_key_material: req.encrypted_key_material,
          encrypted_privatekey: req.encrypted_privatekey,
        }),
        'KMS.0308',
      );
      expect(e2.message).toContain('encrypted_privatekey');
    });
  });
});
