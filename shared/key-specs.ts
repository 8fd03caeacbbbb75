/**
 * What each KMS key spec allows: usages, the algorithms of each usage, rotation and import. One
 * table for the core (electron/core/kms/key-specs.ts adds the HSM material) and the app (which
 * offers only what the core accepts), so the two can never disagree.
 */
import { SIGNING_ALGORITHMS, type EncryptionAlgorithm, type KeySpec, type KeyUsage, type MacAlgorithm, type SigningAlgorithm } from './constants.js';

export interface KeySpecRules {
  usages: readonly KeyUsage[];
  defaultUsage: KeyUsage;
  /** Symmetric keys carry their id in the ciphertext (decrypt needs no key id). */
  symmetric: boolean;
  /** encrypt-data algorithms, when the key's usage is ENCRYPT_DECRYPT. */
  encryption: readonly EncryptionAlgorithm[];
  /** sign/verify algorithms, when the key's usage is SIGN_VERIFY. */
  signing: readonly SigningAlgorithm[];
  mac?: MacAlgorithm;
  /** Rotation adds a version; only specs whose output names its version can rotate. */
  rotatable: boolean;
  /**
   * The digest beside a data key in encrypt-datakey's plain_text and in decrypt-datakey's
   * datakey_dgst: SHA-256 for AES keys, SM3 for SM4 keys (reference §4.3).
   */
  datakeyDigest?: 'sha256' | 'sm3';
  /** RSA modulus in bytes (bounds the OAEP plaintext). */
  modulusBytes?: number;
}

const RSA_SIGNING: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS.filter((a) => a.startsWith('RSASSA_'));
const ECDSA: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS.filter((a) => a.startsWith('ECDSA_'));
const RSA_OAEP: readonly EncryptionAlgorithm[] = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'];
const symmetricEncryption = (datakeyDigest: 'sha256' | 'sm3'): KeySpecRules => ({
  usages: ['ENCRYPT_DECRYPT'],
  defaultUsage: 'ENCRYPT_DECRYPT',
  symmetric: true,
  encryption: ['SYMMETRIC_DEFAULT'],
  signing: [],
  rotatable: true,
  datakeyDigest,
});

const rsa = (modulusBytes: number): KeySpecRules => ({
  usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'],
  defaultUsage: 'SIGN_VERIFY',
  symmetric: false,
  encryption: RSA_OAEP,
  signing: RSA_SIGNING,
  rotatable: false,
  modulusBytes,
});
const ec: KeySpecRules = {
  usages: ['SIGN_VERIFY'],
  defaultUsage: 'SIGN_VERIFY',
  symmetric: false,
  encryption: [],
  signing: ECDSA,
  rotatable: false,
};
const hmac = (mac: MacAlgorithm): KeySpecRules => ({
  usages: ['GENERATE_VERIFY_MAC'],
  defaultUsage: 'GENERATE_VERIFY_MAC',
  symmetric: true,
  encryption: [],
  signing: [],
  mac,
  rotatable: false,
});

export const KEY_SPEC_RULES: Readonly<Record<KeySpec, KeySpecRules>> = {
  AES_256: symmetricEncryption('sha256'),
  /** SYMMETRIC_DEFAULT is SM4-GCM (RFC 8998) for these keys: docs/kms.md, "SM4". */
  SM4: symmetricEncryption('sm3'),
  RSA_2048: rsa(256),
  RSA_3072: rsa(384),
  RSA_4096: rsa(512),
  EC_P256: ec,
  EC_P384: ec,
  SECP256K1: ec,
  /** SM2DSA_SM3 with the default distinguishing id; SM2_ENCRYPT for ENCRYPT_DECRYPT keys. */
  SM2: {
    usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'],
    defaultUsage: 'SIGN_VERIFY',
    symmetric: false,
    encryption: ['SM2_ENCRYPT'],
    signing: ['SM2DSA_SM3'],
    rotatable: false,
  },
  ED25519: { ...ec, signing: ['ED25519_SHA_512'] },
  HMAC_256: hmac('HMAC_SHA_256'),
  HMAC_384: hmac('HMAC_SHA_384'),
  HMAC_512: hmac('HMAC_SHA_512'),
  HMAC_SM3: hmac('HMAC_SM3'),
};

/** The key states as the cloud numbers them. */
export const KEY_STATE = { pendingActivation: '1', enabled: '2', disabled: '3', pendingDeletion: '4', pendingImport: '5' } as const;
