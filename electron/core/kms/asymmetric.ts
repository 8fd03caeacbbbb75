/** sign / verify (RAW and DIGEST) and get-publickey with RSA, EC, SM2 and Ed25519 keys. */
import { KeyholdError } from '../../../shared/errors.js';
import type { SigningAlgorithm } from '../../../shared/constants.js';
import type { asymmetricOperations } from '../../../shared/operations/kms.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { SignOptions } from '../crypto/sign.js';
import { SIGNING } from './algorithms.js';
import type { KmsContext } from './context.js';
import { currentVersion, getKey, handleFor, requireUsable, requireUsage, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { mac, verifyMac } from './mac.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

type SignInput = { key_id: string; message: string; signing_algorithm: SigningAlgorithm; message_type: 'DIGEST' | 'RAW' };

/**
 * Preconditions of sign and verify: the key is enabled and for SIGN_VERIFY, the algorithm fits
 * its spec, and a DIGEST message is exactly the algorithm's digest length.
 */
function prepare(ctx: KmsContext, input: SignInput): { key: CmkRecord; message: Buffer; opts: SignOptions } {
  const key = getKey(ctx, input.key_id);
  requireUsable(key);
  requireUsage(key, 'SIGN_VERIFY');
  const allowed = KEY_SPEC_TABLE[key.key_spec].signing;
  if (!allowed.includes(input.signing_algorithm)) {
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid signing_algorithm: ${input.signing_algorithm} is not available for key_spec ${key.key_spec} (allowed: ${allowed.join(', ')}).`,
      400,
      'algorithm.not-for-spec',
    );
  }
  const { digestBytes, ...opts } = SIGNING[input.signing_algorithm];
  const message = Buffer.from(input.message, 'base64');
  if (input.message_type === 'DIGEST' && digestBytes === 0) {
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid message_type: ${input.signing_algorithm} signs the message itself; use message_type RAW.`,
      400,
      'message-type.raw-only',
    );
  }
  if (input.message_type === 'DIGEST' && message.length !== digestBytes) {
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid message: with message_type DIGEST and ${input.signing_algorithm} it must be the ${digestBytes}-byte digest, not ${message.length} bytes.`,
      400,
      'message.digest-length',
    );
  }
  if (message.length === 0 || message.length > 4096)
    throw new KeyholdError(KmsErrors.Invalid, 'Invalid message: it must be 1-4096 bytes once base64-decoded.', 400, 'message.length');
  return { key, message, opts: { ...opts, prehashed: input.message_type === 'DIGEST' } };
}

export const asymmetricHandlers: Handlers<typeof asymmetricOperations, KmsContext> = {
  sign(ctx, input) {
    const { key, message, opts } = prepare(ctx, input);
    return { key_id: key.key_id, signature: ctx.hsm.sign(handleFor(ctx, currentVersion(key).material), message, opts).toString('base64') };
  },

  verify(ctx, input) {
    const { key, message, opts } = prepare(ctx, input);
    const valid = ctx.hsm.verify(handleFor(ctx, currentVersion(key).material), message, Buffer.from(input.signature, 'base64'), opts);
    return { key_id: key.key_id, signature_valid: valid ? 'true' : 'false' };
  },

  getPublickey(ctx, input) {
    const key = getKey(ctx, input.key_id);
    if (KEY_SPEC_TABLE[key.key_spec].symmetric)
      throw new KeyholdError(KmsErrors.Invalid, `Invalid key_id: ${key.key_spec} key ${key.key_id} has no public key.`, 400, 'key.no-public-key');
    requireUsable(key);
    return { key_id: key.key_id, public_key: ctx.hsm.publicKey(handleFor(ctx, currentVersion(key).material)) };
  },

  generateMac: mac,
  verifyMac,
};
