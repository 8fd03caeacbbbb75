/**
 * The key-spec table: one entry per KMS key spec, saying which HSM material backs it, which
 * usages and algorithms it allows, and whether it can rotate or take imported material.
 * Adding a spec means adding a row here (and its name in shared/constants.ts); no switch
 * elsewhere looks at spec names.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { SIGNING_ALGORITHMS, type EncryptionAlgorithm, type KeySpec, type KeyUsage, type MacAlgorithm, type SigningAlgorithm } from '../../../shared/constants.js';
import type { HsmKeyKind } from '../hsm/backend.js';

export interface KeySpecInfo {
  hsmKind: HsmKeyKind;
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
  /** origin "external" allowed: raw symmetric material wrapped with the import parameters. */
  importable: boolean;
  /** RSA modulus in bytes (bounds the OAEP plaintext). */
  modulusBytes?: number;
}

const RSA_SIGNING: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS.filter((a) => a.startsWith('RSASSA_'));
const ECDSA: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS.filter((a) => a.startsWith('ECDSA_'));
const RSA_OAEP: readonly EncryptionAlgorithm[] = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'];

const rsa = (hsmKind: HsmKeyKind, modulusBytes: number): KeySpecInfo => ({
  hsmKind,
  usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'],
  defaultUsage: 'SIGN_VERIFY',
  symmetric: false,
  encryption: RSA_OAEP,
  signing: RSA_SIGNING,
  rotatable: false,
  importable: false,
  modulusBytes,
});
const ec = (hsmKind: HsmKeyKind): KeySpecInfo => ({
  hsmKind,
  usages: ['SIGN_VERIFY'],
  defaultUsage: 'SIGN_VERIFY',
  symmetric: false,
  encryption: [],
  signing: ECDSA,
  rotatable: false,
  importable: false,
});
const hmac = (hsmKind: HsmKeyKind, mac: MacAlgorithm): KeySpecInfo => ({
  hsmKind,
  usages: ['GENERATE_VERIFY_MAC'],
  defaultUsage: 'GENERATE_VERIFY_MAC',
  symmetric: true,
  encryption: [],
  signing: [],
  mac,
  rotatable: false,
  importable: true,
});

export const KEY_SPEC_TABLE: Record<KeySpec, KeySpecInfo> = {
  AES_256: {
    hsmKind: 'aes-256',
    usages: ['ENCRYPT_DECRYPT'],
    defaultUsage: 'ENCRYPT_DECRYPT',
    symmetric: true,
    encryption: ['SYMMETRIC_DEFAULT'],
    signing: [],
    rotatable: true,
    importable: true,
  },
  RSA_2048: rsa('rsa-2048', 256),
  RSA_3072: rsa('rsa-3072', 384),
  RSA_4096: rsa('rsa-4096', 512),
  EC_P256: ec('ec-p256'),
  EC_P384: ec('ec-p384'),
  SECP256K1: ec('ec-secp256k1'),
  HMAC_256: hmac('hmac-sha256', 'HMAC_SHA_256'),
  HMAC_384: hmac('hmac-sha384', 'HMAC_SHA_384'),
  HMAC_512: hmac('hmac-sha512', 'HMAC_SHA_512'),
};

/** Resolves the usage for a new key; an invalid spec/usage pair is a typed error. */
export function usageFor(spec: KeySpec, usage: KeyUsage | undefined): KeyUsage {
  const info = KEY_SPEC_TABLE[spec];
  if (usage === undefined) return info.defaultUsage;
  if (!info.usages.includes(usage)) {
    throw new KeyholdError('KMS.0308', `Invalid key_usage: ${usage} is not allowed for key_spec ${spec} (allowed: ${info.usages.join(', ')}).`, 400);
  }
  return usage;
}

/** Precondition: origin external only for specs whose material can be imported. */
export function requireImportable(spec: KeySpec): void {
  if (!KEY_SPEC_TABLE[spec].importable) {
    const allowed = Object.entries(KEY_SPEC_TABLE).filter(([, i]) => i.importable).map(([s]) => s);
    throw new KeyholdError('KMS.0308', `Invalid origin: key material for ${spec} cannot be imported (importable specs: ${allowed.join(', ')}).`, 400);
  }
}
