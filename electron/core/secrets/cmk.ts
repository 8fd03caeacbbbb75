/**
 * The CMK that protects a secret: any enabled AES key of the local KMS, by the wrap helpers'
 * one rule (kms/wrap.ts). KMS refusals are reported with CSMS codes, because a CSMS caller
 * expects CSMS's flat error shape; a data key that no longer opens is a damaged record.
 */
import { LocalErrors } from '../../../shared/errors.js';
import { ensureDefaultKey, findDefaultKey, type CmkRecord } from '../kms/keys.js';
import type { Refusals } from '../kms/refusals.js';
import { requireWrappingKey } from '../kms/wrap.js';
import type { SecretsContext } from './context.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

export const CSMS_REFUSALS: Refusals = {
  'not-found': [CsmsErrors.NotFound, 404],
  disabled: [CsmsErrors.Invalid, 400],
  'pending-deletion': [CsmsErrors.Invalid, 400],
  'not-active': [CsmsErrors.Invalid, 400],
  'wrong-usage': [CsmsErrors.Invalid, 400],
  'wrong-spec': [CsmsErrors.Invalid, 400],
  'missing-version': [LocalErrors.RecordCorrupt, 500],
  'does-not-authenticate': [LocalErrors.RecordCorrupt, 500],
};

/** Precondition: a secret's CMK exists (CSMS.0005), is enabled and is a symmetric (AES or SM4) encryption key (CSMS.0002). */
export function usableCmk(ctx: SecretsContext, keyId: string): CmkRecord {
  return requireWrappingKey(ctx, { key_id: keyId }, CSMS_REFUSALS);
}

/** The chosen CMK, or csms/default (created on first use, as the cloud does). */
export async function chooseCmk(ctx: SecretsContext, keyId: string | undefined): Promise<CmkRecord> {
  if (keyId !== undefined) return usableCmk(ctx, keyId);
  return usableCmk(ctx, (findDefaultKey(ctx, 'csms') ?? (await ensureDefaultKey(ctx, 'csms'))).key_id);
}
