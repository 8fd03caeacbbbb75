/**
 * Signatures over node:crypto: RSA PSS / PKCS#1 v1.5 and ECDSA (DER), on whole messages
 * (node:crypto hashes them) or on a digest the caller computed (rsa.ts, ecdsa-prehashed.ts).
 */
import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ecdsaSignDigest, ecdsaVerifyDigest, type CurveName } from './ecdsa-prehashed.js';
import { hashBytes, pkcs1SignDigest, pkcs1VerifyDigest, pssSignDigest, pssVerifyDigest } from './rsa.js';

export interface SignOptions {
  /** sm3 only with SM2 keys (crypto/sm2.ts); Ed25519 hashes with SHA-512 by definition. */
  hash: 'sha256' | 'sha384' | 'sha512' | 'sm3';
  /** Only for RSA keys. */
  padding?: 'pss' | 'pkcs1';
  /** The data is already the digest (KMS message_type DIGEST); its length must match the hash. */
  prehashed?: boolean;
}

/** Node's names for the curves of EC KeyObjects, mapped to the curve table. */
const NODE_CURVES: Record<string, CurveName> = { prime256v1: 'prime256v1', secp384r1: 'secp384r1', secp256k1: 'secp256k1' };

function curveOf(key: KeyObject): CurveName {
  const c = NODE_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (!c) throw new Error(`Unsupported curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'}.`);
  return c;
}

function keyOpts(key: KeyObject, opts: SignOptions, verifying: boolean) {
  if (key.asymmetricKeyType !== 'rsa') return { key };
  // Signing uses a digest-length salt; verifying accepts any salt length (docs/kms.md).
  const saltLength = verifying ? constants.RSA_PSS_SALTLEN_AUTO : constants.RSA_PSS_SALTLEN_DIGEST;
  return opts.padding === 'pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } : { key, padding: constants.RSA_PKCS1_PADDING };
}

/** The RSA and ECDSA paths: SM3 is refused here (SM2 keys sign in crypto/sm2.ts). */
function rsaEcHash(opts: SignOptions): 'sha256' | 'sha384' | 'sha512' {
  if (opts.hash === 'sm3') throw new RangeError('SM3 signatures are SM2 signatures (crypto/sm2.ts).');
  return opts.hash;
}

export function signMessage(key: KeyObject, message: Buffer, opts: SignOptions): Buffer {
  if (key.asymmetricKeyType === 'ed25519') {
    if (opts.prehashed) throw new RangeError('Ed25519 signs the message itself, not a digest.');
    return nodeSign(null, message, key);
  }
  const hash = rsaEcHash(opts);
  if (!opts.prehashed) return nodeSign(opts.hash, message, keyOpts(key, opts, false));
  if (message.length !== hashBytes(hash)) throw new RangeError(`A ${hash} digest is ${hashBytes(hash)} bytes.`);
  if (key.asymmetricKeyType === 'rsa') return opts.padding === 'pss' ? pssSignDigest(key, hash, message) : pkcs1SignDigest(key, hash, message);
  return ecdsaSignDigest(key, curveOf(key), message);
}

/** A malformed signature is `false`, never an exception. */
export function verifyMessage(key: KeyObject, message: Buffer, signature: Buffer, opts: SignOptions): boolean {
  if (key.asymmetricKeyType === 'ed25519') {
    try {
      return !opts.prehashed && nodeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  }
  if (opts.hash === 'sm3') return false;
  const hash = opts.hash;
  if (!opts.prehashed) {
    try {
      return nodeVerify(opts.hash, message, keyOpts(key, opts, true), signature);
    } catch {
      return false;
    }
  }
  if (message.length !== hashBytes(hash)) return false;
  if (key.asymmetricKeyType === 'rsa')
    return opts.padding === 'pss' ? pssVerifyDigest(key, hash, message, signature) : pkcs1VerifyDigest(key, hash, message, signature);
  return ecdsaVerifyDigest(key, curveOf(key), message, signature);
}
