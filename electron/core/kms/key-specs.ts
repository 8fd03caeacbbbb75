/**
 * The key-spec table: one entry per KMS key spec, saying which HSM material backs it and
 * which usages it allows. Adding a spec means adding a row here (and its name in
 * shared/constants.ts); no switch elsewhere looks at spec names.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { KeySpec, KeyUsage } from '../../../shared/constants.js';
import type { HsmKeyKind } from '../hsm/backend.js';

export interface KeySpecInfo {
  hsmKind: HsmKeyKind;
  usages: readonly KeyUsage[];
  defaultUsage: KeyUsage;
  /** Symmetric keys carry their id in the ciphertext and can rotate. */
  symmetric: boolean;
}

export const KEY_SPEC_TABLE: Record<KeySpec, KeySpecInfo> = {
  AES_256: { hsmKind: 'aes-256', usages: ['ENCRYPT_DECRYPT'], defaultUsage: 'ENCRYPT_DECRYPT', symmetric: true },
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
