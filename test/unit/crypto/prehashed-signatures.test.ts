// Signatures over a precomputed digest (KMS message_type DIGEST) must be exactly what
// node:crypto / OpenSSL produce and accept for the whole message: each direction is checked
// against node:crypto's own message signing, which is independent of rsa.ts and ecdsa-prehashed.ts,
// and ECDSA verification against Wycheproof's vectors.
import { constants, createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ecdsaSignDigest, ecdsaVerifyDigest, type CurveName } from '../../../electron/core/crypto/ecdsa-prehashed.js';
import { pkcs1SignDigest, pkcs1VerifyDigest, pssSignDigest, pssVerifyDigest } from '../../../electron/core/crypto/rsa.js';

const message = Buffer.from('the quick brown fox');
const hashes = ['sha256', 'sha384', 'sha512'] as const;
const digestOf = (h: string) => createHash(h).update(message).digest();

/** Wycheproof's ECDSA verification vectors (test/vectors/wycheproof/README.md), gzipped as published. */
interface WycheproofFile {
  testGroups: {
    publicKeyDer: string;
    sha: string;
    tests: { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable' }[];
  }[];
}
const VECTORS: [string, CurveName][] = [
  ['ecdsa_secp256r1_sha256_test', 'prime256v1'],
  ['ecdsa_secp256r1_sha512_test', 'prime256v1'],
  ['ecdsa_secp384r1_sha384_test', 'secp384r1'],
  ['ecdsa_secp256k1_sha256_test', 'secp256k1'],
];

describe('Wycheproof ECDSA vectors, verified over the digest', () => {
  for (const [file, curve] of VECTORS) {
    it(`${file}: every valid signature verifies, every invalid one (BER, overflow, r or s out of range, wrong point) is refused`, () => {
      const data = JSON.parse(
        gunzipSync(readFileSync(join(import.meta.dirname, '../../vectors/wycheproof', `${file}.json.gz`))).toString('utf8'),
      ) as WycheproofFile;
      let valid = 0;
      let invalid = 0;
      for (const group of data.testGroups) {
        const key = createPublicKey({ key: Buffer.from(group.publicKeyDer, 'hex'), format: 'der', type: 'spki' });
        const hash = group.sha.replace('-', '').toLowerCase();
        for (const t of group.tests) {
          const got = ecdsaVerifyDigest(key, curve, createHash(hash).update(Buffer.from(t.msg, 'hex')).digest(), Buffer.from(t.sig, 'hex'));
          if (t.result === 'acceptable') continue;
          expect(got, `tcId ${t.tcId}: ${t.comment}`).toBe(t.result === 'valid');
          if (t.result === 'valid') valid++;
          else invalid++;
        }
      }
      expect(valid).toBeGreaterThan(50);
      expect(invalid).toBeGreaterThan(50);
    });
  }
});

describe('ECDSA over a digest', () => {
  for (const curve of ['prime256v1', 'secp384r1', 'secp256k1'] as const) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    for (const h of hashes) {
      it(`${curve} ${h}: our digest signature verifies as node's message signature, and node's verifies with ours`, () => {
        const ours = ecdsaSignDigest(privateKey, curve, digestOf(h));
        expect(verify(h, message, publicKey, ours)).toBe(true);
        const theirs = sign(h, message, privateKey);
        expect(ecdsaVerifyDigest(publicKey, curve, digestOf(h), theirs)).toBe(true);
      });
    }
    it(`${curve}: a wrong digest, a flipped signature byte and garbage are false`, () => {
      const sig = ecdsaSignDigest(privateKey, curve, digestOf('sha256'));
      const other = createHash('sha256').update('other').digest();
      expect(ecdsaVerifyDigest(publicKey, curve, other, sig)).toBe(false);
      const flipped = Buffer.from(sig);
      flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 1;
      expect(ecdsaVerifyDigest(publicKey, curve, digestOf('sha256'), flipped)).toBe(false);
      expect(ecdsaVerifyDigest(publicKey, curve, digestOf('sha256'), Buffer.from('3000', 'hex'))).toBe(false);
      expect(ecdsaVerifyDigest(publicKey, curve, digestOf('sha256'), Buffer.alloc(0))).toBe(false);
    });
  }
});

describe('RSA over a digest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pssOpts = (key: KeyObject, saltLength: number) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
  for (const h of hashes) {
    it(`PKCS#1 v1.5 ${h}: identical to node's deterministic message signature, both ways`, () => {
      const ours = pkcs1SignDigest(privateKey, h, digestOf(h));
      expect(ours.equals(sign(h, message, privateKey))).toBe(true);
      expect(pkcs1VerifyDigest(publicKey, h, digestOf(h), ours)).toBe(true);
      expect(pkcs1VerifyDigest(publicKey, h, digestOf(h), Buffer.alloc(256))).toBe(false);
    });
    it(`PSS ${h}: node verifies ours with salt length = digest length; ours verifies node's with any salt length`, () => {
      const ours = pssSignDigest(privateKey, h, digestOf(h));
      expect(verify(h, message, pssOpts(publicKey, constants.RSA_PSS_SALTLEN_DIGEST), ours)).toBe(true);
      for (const salt of [0, 20, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
        const theirs = sign(h, message, pssOpts(privateKey, salt));
        expect(pssVerifyDigest(createPublicKey(privateKey), h, digestOf(h), theirs)).toBe(true);
      }
      const flipped = Buffer.from(ours);
      flipped[10] = (flipped[10] as number) ^ 0x40;
      expect(pssVerifyDigest(publicKey, h, digestOf(h), flipped)).toBe(false);
      expect(pssVerifyDigest(publicKey, h, digestOf('sha256').subarray(0, 20), ours)).toBe(false);
    });
  }
});
