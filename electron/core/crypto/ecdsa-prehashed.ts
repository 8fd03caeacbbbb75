/**
 * ECDSA over a digest the caller already computed (KMS sign/verify with message_type DIGEST).
 * node:crypto only signs messages it hashes itself, so this goes through `@noble/curves`
 * (audited; constant-time scalar arithmetic by design), with `prehash: false` so the given digest
 * is the value signed (SEC 1 §4.1: leftmost bits of a longer digest). Signing is RFC 6979 with
 * extra randomness (`extraEntropy`: a weak RNG cannot leak the key, a fault attack on a repeated
 * digest gets a fresh nonce) and gives low-S signatures; verifying accepts either S, as OpenSSL
 * does, and takes strict DER only. Signatures are DER, the form openssl and node:crypto use.
 *
 * No native path fits: node:crypto (in Node and in Electron) has no ECDSA over a given digest.
 * Measured against the BigInt code this replaced: docs/kms.md.
 */
import type { KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

export type CurveName = 'prime256v1' | 'secp384r1' | 'secp256k1';

const ECDSA = { prime256v1: p256, secp384r1: p384, secp256k1 } as const;

/** Each key's raw private scalar and uncompressed public point, read once per KeyObject. */
const scalars = new WeakMap<KeyObject, Uint8Array>();
const points = new WeakMap<KeyObject, Uint8Array>();

function jwkBytes(s: unknown): Buffer {
  return Buffer.from(String(s), 'base64url');
}

function scalarOf(key: KeyObject): Uint8Array {
  let d = scalars.get(key);
  if (!d) {
    d = jwkBytes(key.export({ format: 'jwk' }).d);
    scalars.set(key, d);
  }
  return d;
}

function pointOf(key: KeyObject): Uint8Array {
  let q = points.get(key);
  if (!q) {
    const jwk = key.export({ format: 'jwk' });
    q = Buffer.concat([Buffer.from([0x04]), jwkBytes(jwk.x), jwkBytes(jwk.y)]);
    points.set(key, q);
  }
  return q;
}

/** Signs `digest` with the EC private key (a node:crypto KeyObject). Returns a DER signature. */
export function ecdsaSignDigest(key: KeyObject, curve: CurveName, digest: Buffer): Buffer {
  return Buffer.from(ECDSA[curve].sign(digest, scalarOf(key), { prehash: false, format: 'der', extraEntropy: true }));
}

/** Verifies a DER signature over `digest` with an EC public key; malformed input is `false`. */
export function ecdsaVerifyDigest(key: KeyObject, curve: CurveName, digest: Buffer, signature: Buffer): boolean {
  try {
    return ECDSA[curve].verify(signature, digest, pointOf(key), { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}
