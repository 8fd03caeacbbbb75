/**
 * The reasons a CMK is refused for cryptography, and how a service turns one into its own error.
 * A leaf (keys.ts and wrap.ts both read it); the rules themselves are in keys.ts (state) and
 * wrap.ts (wrapping).
 */
import { KeyholdError } from '../../../shared/errors.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** Why a CMK did not wrap or unwrap. */
export type WrapRefusal =
  | 'not-found'
  | 'disabled'
  | 'pending-deletion'
  /** Pending activation or import: no usable material yet. */
  | 'not-active'
  | 'wrong-usage'
  /** Not a symmetric key that seals (SYMMETRIC_DEFAULT): an RSA, EC or HMAC key. */
  | 'wrong-spec'
  /** The blob names a key version the key does not have. */
  | 'missing-version'
  /** The blob does not authenticate under the version it names (altered, or other AAD). */
  | 'does-not-authenticate';

/** Each service's codes for the reasons: `[code, status]`. */
export type Refusals = Record<WrapRefusal, readonly [code: string, status: number]>;

/**
 * A service's own refusal: its code for the reason, the message naming the key, and the reason
 * as `wrap.<reason>` on the error (shared/errors.ts) for tests to assert.
 */
export function refusal(codes: Refusals, reason: WrapRefusal, message: string): KeyholdError {
  const [code, status] = codes[reason];
  return new KeyholdError(code, message, status, `wrap.${reason}`);
}

/** KMS's own codes (reference §4.4, §3): the ones getKey and requireUsable answer with. */
export const KMS_REFUSALS: Refusals = {
  'not-found': [KmsErrors.KeyNotFound, 404],
  disabled: [KmsErrors.KeyDisabled, 400],
  'pending-deletion': [KmsErrors.KeyPendingDeletion, 400],
  'not-active': [KmsErrors.Invalid, 400],
  'wrong-usage': [KmsErrors.Invalid, 400],
  'wrong-spec': [KmsErrors.Invalid, 400],
  'missing-version': [KmsErrors.BadCipherText, 400],
  'does-not-authenticate': [KmsErrors.BadCipherText, 400],
};
