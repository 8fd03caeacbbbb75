/** What each KMS algorithm name means to the HSM: hash, padding and lengths. */
import type { EncryptionAlgorithm, SigningAlgorithm } from '../../../shared/constants.js';
import type { HashName } from '../crypto/rsa.js';
import type { SignOptions } from '../crypto/sign.js';

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
};

export const OAEP_HASH: Record<Exclude<EncryptionAlgorithm, 'SYMMETRIC_DEFAULT'>, HashName> = {
  RSAES_OAEP_SHA_256: 'sha256',
  RSAES_OAEP_SHA_1: 'sha1',
};
