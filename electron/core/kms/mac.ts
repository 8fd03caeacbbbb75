/** generate-mac / verify-mac with HMAC keys. */
import { KeyholdError } from '../../../shared/errors.js';
import type { MacAlgorithm } from '../../../shared/constants.js';
import { equalBytes } from '../crypto/hmac.js';
import type { KmsContext } from './context.js';
import { currentVersion, getKey, handleFor, requireUsable, requireUsage } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

type MacInput = { key_id: string; mac_algorithm: MacAlgorithm; message: string };

/** Preconditions: the key is enabled, for GENERATE_VERIFY_MAC, and mac_algorithm is its spec's. */
function compute(ctx: KmsContext, input: MacInput): Buffer {
  const key = getKey(ctx, input.key_id);
  requireUsable(key);
  requireUsage(key, 'GENERATE_VERIFY_MAC');
  const expected = KEY_SPEC_TABLE[key.key_spec].mac;
  if (input.mac_algorithm !== expected)
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid mac_algorithm: key_spec ${key.key_spec} computes ${expected ?? 'no MAC'}, not ${input.mac_algorithm}.`,
      400,
      'algorithm.not-for-spec',
    );
  const message = Buffer.from(input.message, 'base64');
  if (message.length === 0 || message.length > 4096)
    throw new KeyholdError(KmsErrors.Invalid, 'Invalid message: it must be 1-4096 bytes once base64-decoded.', 400, 'message.length');
  return ctx.hsm.mac(handleFor(ctx, currentVersion(key).material), message);
}

export function mac(ctx: KmsContext, input: MacInput): { key_id: string; mac_algorithm: string; mac: string } {
  return { key_id: input.key_id, mac_algorithm: input.mac_algorithm, mac: compute(ctx, input).toString('hex') };
}

export function verifyMac(ctx: KmsContext, input: MacInput & { mac: string }): { key_id: string; mac_algorithm: string; mac_valid: boolean } {
  const given = Buffer.from(input.mac, 'hex');
  return { key_id: input.key_id, mac_algorithm: input.mac_algorithm, mac_valid: equalBytes(compute(ctx, input), given) };
}
