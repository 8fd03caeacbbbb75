/**
 * The key-spec table of the core: the shared rules of each KMS key spec (usages, algorithms,
 * rotation, import; shared/key-specs.ts, read by the app as well) and the HSM material backing it.
 * Adding a spec means a row in shared/key-specs.ts, its HSM kind here, and its name in
 * shared/constants.ts; no switch elsewhere looks at spec names.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { KEY_SPECS, type KeySpec, type KeyUsage } from '../../../shared/constants.js';
import { KEY_SPEC_RULES, type KeySpecRules } from '../../../shared/key-specs.js';
import type { HsmKeyKind } from '../hsm/backend.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** A spec's rules (shared/key-specs.ts, which the app reads too) and the HSM material backing it. */
export interface KeySpecInfo extends KeySpecRules {
  hsmKind: HsmKeyKind;
}

const HSM_KIND: Record<KeySpec, HsmKeyKind> = {
  AES_256: 'aes-256',
  SM4: 'sm4',
  RSA_2048: 'rsa-2048',
  RSA_3072: 'rsa-3072',
  RSA_4096: 'rsa-4096',
  EC_P256: 'ec-p256',
  EC_P384: 'ec-p384',
  SECP256K1: 'ec-secp256k1',
  SM2: 'sm2',
  ED25519: 'ed25519',
  HMAC_256: 'hmac-sha256',
  HMAC_384: 'hmac-sha384',
  HMAC_512: 'hmac-sha512',
  HMAC_SM3: 'hmac-sm3',
};

export const KEY_SPEC_TABLE: Record<KeySpec, KeySpecInfo> = Object.fromEntries(
  KEY_SPECS.map((spec) => [spec, { ...KEY_SPEC_RULES[spec], hsmKind: HSM_KIND[spec] }]),
) as Record<KeySpec, KeySpecInfo>;

/** Resolves the usage for a new key; an invalid spec/usage pair is a typed error. */
export function usageFor(spec: KeySpec, usage: KeyUsage | undefined): KeyUsage {
  const info = KEY_SPEC_TABLE[spec];
  if (usage === undefined) return info.defaultUsage;
  if (!info.usages.includes(usage)) {
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid key_usage: ${usage} is not allowed for key_spec ${spec} (allowed: ${info.usages.join(', ')}).`,
      400,
      'usage.not-for-spec',
    );
  }
  return usage;
}
