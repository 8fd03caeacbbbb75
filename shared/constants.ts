/**
 * Names and limits every process agrees on. The behaviour behind each key spec lives in the
 * key-spec table of electron/core/kms; this list is what the contract accepts.
 */

/** Key specs the local KMS can create (reference §4.1); their behaviour is in electron/core/kms/key-specs.ts. */
export const KEY_SPECS = [
  'AES_256',
  'SM4',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_P256',
  'EC_P384',
  'SECP256K1',
  'SM2',
  'ED25519',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'HMAC_SM3',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** Services whose default key `<service>/default` Keyhold creates on first use. */
export const DEFAULT_KEY_SERVICES = ['kms', 'csms', 'kps'] as const;
export type DefaultKeyService = (typeof DEFAULT_KEY_SERVICES)[number];

export const LIMITS = {
  /** encrypt-data accepts at most this many UTF-8 bytes. */
  smallDataBytes: 4096,
  /** Custom (non-default) CMKs per vault unless configured otherwise. */
  customKeyQuota: 20,
  /** Grants per CMK (the cloud's `grant_per_CMK` quota). */
  grantsPerKey: 100,
} as const;

/** Signing algorithms of sign/verify (reference §4.1). */
export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA_SM3',
  'ED25519_SHA_512',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** encrypt-data / decrypt-data algorithms: AES-GCM or SM4-GCM for symmetric keys, RSA OAEP for RSA keys, SM2 for SM2 keys. */
export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'SM2_ENCRYPT'] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

export const MAC_ALGORITHMS = ['HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512', 'HMAC_SM3'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

/** Wrapping algorithms for bring-your-own key material (the seed's import guide). */
export const WRAPPING_ALGORITHMS = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSAES_PKCS1_V1_5'] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];
