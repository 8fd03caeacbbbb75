/**
 * Names and limits every process agrees on. The behaviour behind each key spec lives in the
 * key-spec table of electron/core/kms; this list is what the contract accepts.
 */

/** Key specs the local KMS can create (reference §4.1). More arrive with the local KMS issue. */
export const KEY_SPECS = ['AES_256'] as const;
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
} as const;
