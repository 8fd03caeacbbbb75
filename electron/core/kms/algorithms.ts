/** What each KMS algorithm name means to the HSM: hash, padding and lengths. */
import type { EncryptionAlgorithm, SigningAlgorithm } from '../../../shared/constants.js';
import type { HashName } from '../crypto/rsa.js';
import type { SignOptions } from '../crypto/sign.js';

/**
 * `digestBytes` is what message_type DIGEST takes; 0 means the algorithm signs only the message
 * itself (Ed25519 is defined over the message, so DIGEST is refused for it).
 */
export const SIGNING: Record<SigningAlgorithm, Omit<SignOptions, 'prehashed'> & { digestBytes: number }> = {
  RSASSA_PSS_SHA_256: { hash: 'sha256', padding: 'pss', digestBytes: 32 },
  RSASSA_PSS_SHA_384: { hash: 'sha384', padding: 'pss', digestBytes: 48 },
  RSASSA_PSS_SHA_512: { hash: 'sha512', padding: 'pss', digestBytes: 64 },
  RSASSA_PKCS1_V1_5_SHA_256: { hash: 'sha256', padding: 'pkcs1', digestBytes: 32 },
  RSASSA_PKCS1_V1_5_SHA_384: { hash: 'sha384', padding: 'pkcs1', digestBytes: 48 },
  RSASSA_PKCS1_V1_5_SHA_512: { hash: 'sha512', padding: 'pkcs1', digestBytes: 64 },
  ECDSA_SHA_256: { hash: 'sha256', digestBytes: 32 },
  ECDSA_SHA_384: { hash: 'sha384', digestBytes: 48 },
  ECDSA_SHA_512: { hash: 'sha512', digestBytes: 64 },
  /** DIGEST: e = SM3(Z ‖ M), Z over the default distinguishing id (crypto/sm2.ts). */
  SM2DSA_SM3: { hash: 'sm3', digestBytes: 32 },
  ED25519_SHA_512: { hash: 'sha512', digestBytes: 0 },
};

export const OAEP_HASH: Record<Exclude<EncryptionAlgorithm, 'SYMMETRIC_DEFAULT' | 'SM2_ENCRYPT'>, HashName> = {
  RSAES_OAEP_SHA_256: 'sha256',
  RSAES_OAEP_SHA_1: 'sha1',
};
