/**
 * The CMK that protects a secret: any enabled AES key of the local KMS. KMS refusals are
 * reported with CSMS codes, because a CSMS caller expects CSMS's flat error shape.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { CMK_TABLE, ensureDefaultKey, findDefaultKey, STATE, type CmkRecord } from '../kms/keys.js';
import { KEY_SPEC_TABLE } from '../kms/key-specs.js';
import type { SecretsContext } from './context.js';

/** Precondition: a secret's CMK exists (CSMS.0005), is enabled and is an AES encryption key (CSMS.0002). */
export function usableCmk(ctx: SecretsContext, keyId: string): CmkRecord {
  const key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
  if (!key) throw new KeyholdError('CSMS.0005', `The key ${keyId} does not exist.`, 404);
  if (key.key_state === STATE.pendingDeletion) throw new KeyholdError('CSMS.0002', `The key ${keyId} is pending deletion and cannot protect secrets.`, 400);
  if (key.key_state !== STATE.enabled) throw new KeyholdError('CSMS.0002', `The key ${keyId} is not enabled (state ${key.key_state}).`, 400);
  if (KEY_SPEC_TABLE[key.key_spec]?.hsmKind !== 'aes-256' || key.key_usage !== 'ENCRYPT_DECRYPT') {
    throw new KeyholdError('CSMS.0002', `Invalid parameter kms_key_id: the key ${keyId} is ${key.key_spec}/${key.key_usage}; secrets need an AES encryption key.`, 400);
  }
  return key;
}

/** The chosen CMK, or csms/default (created on first use, as the cloud does). */
export async function chooseCmk(ctx: SecretsContext, keyId: string | undefined): Promise<CmkRecord> {
  if (keyId !== undefined) return usableCmk(ctx, keyId);
  return usableCmk(ctx, (findDefaultKey(ctx, 'csms') ?? (await ensureDefaultKey(ctx, 'csms'))).key_id);
}
