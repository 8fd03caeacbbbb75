/** The secret lifecycle: create, list, update (with CMK re-wrap), delete now or on a schedule, restore. */
import { KeyholdError } from '../../../shared/errors.js';
import { parseInput } from '../../../shared/operations/define.js';
import { csmsOperations, type CreateSecretBody, type PageInfo, type Secret } from '../../../shared/operations/csms.js';
import { newUuid } from '../crypto/random.js';
import { chooseCmk, usableCmk } from './cmk.js';
import type { SecretsContext } from './context.js';
import { forgetSecret, setDue } from './due-index.js';
import { notify, requireEvents } from './events.js';
import { page } from './paging.js';
import { findSecret, getSecret, requireEnabled, SECRETS_TABLE, toSecret, versionRecordId, VERSIONS_TABLE, type SecretRecord } from './records.js';
import { applyRotationSettings, scheduleRotation } from './rotation.js';
import { rewrapValue } from './sealing.js';
import { addVersion, deleteVersions, readSealed, requireFormat, valueOf } from './versions.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

const DAY_MS = 24 * 3600 * 1000;

/** Precondition: secret names are unique (CSMS.0002 naming the taken name). */
export function requireFreeName(ctx: SecretsContext, name: string): void {
  if (findSecret(ctx.store, name)) throw new KeyholdError(CsmsErrors.Invalid, `Invalid parameter name: a secret named ${name} already exists.`, 400);
}

export async function createSecret(ctx: SecretsContext, body: CreateSecretBody): Promise<SecretRecord> {
  requireFreeName(ctx, body.name);
  requireEvents(ctx.store, body.event_subscriptions);
  const value = valueOf(body);
  requireFormat({ name: body.name, secret_format: body.secret_format }, value);
  const cmk = await chooseCmk(ctx, body.kms_key_id);
  const now = ctx.now();
  const s: SecretRecord = {
    id: newUuid(),
    name: body.name,
    state: 'ENABLED',
    kms_key_id: cmk.key_id,
    description: body.description,
    create_time: now,
    update_time: now,
    scheduled_delete_time: null,
    secret_type: body.secret_type,
    secret_format: body.secret_format,
    auto_rotation: false,
    rotation_period: null,
    rotation_time: null,
    next_rotation_time: null,
    event_subscriptions: body.event_subscriptions,
    enterprise_project_id: body.enterprise_project_id,
    versions: [],
    next_version: 1,
    stages: {},
  };
  applyRotationSettings(ctx, s, body);
  addVersion(ctx, s, cmk, value);
  return s;
}

/** A page of secrets in name order; only the page's metadata records are opened. */
export function listSecrets(ctx: SecretsContext, input: { limit: number; marker?: string; event_name?: string }): { secrets: Secret[]; page_info: PageInfo } {
  const keysAfter = (after: string | undefined, limit: number) => ctx.store.ids(SECRETS_TABLE, { after, limit });
  const { items, page_info } = page(keysAfter, input.marker, input.limit, (name) => {
    const s = findSecret(ctx.store, name);
    return s && (input.event_name === undefined || s.event_subscriptions.includes(input.event_name)) ? toSecret(s) : undefined;
  });
  return { secrets: items, page_info };
}

export function updateSecret(
  ctx: SecretsContext,
  input: { secret_name: string; kms_key_id?: string; description?: string; auto_rotation?: boolean; rotation_period?: string; event_subscriptions?: string[] },
): SecretRecord {
  const s = getSecret(ctx.store, input.secret_name);
  requireEnabled(s);
  if (input.event_subscriptions) {
    requireEvents(ctx.store, input.event_subscriptions);
    s.event_subscriptions = input.event_subscriptions;
  }
  if (input.description !== undefined) s.description = input.description;
  if (input.kms_key_id !== undefined && input.kms_key_id !== s.kms_key_id) rewrapAll(ctx, s, input.kms_key_id);
  applyRotationSettings(ctx, s, input);
  s.update_time = ctx.now();
  ctx.store.put(SECRETS_TABLE, s.name, s);
  return s;
}

/** Moves every version's data key to the new CMK; no value is decrypted or re-encrypted. */
function rewrapAll(ctx: SecretsContext, s: SecretRecord, keyId: string): void {
  const cmk = usableCmk(ctx, keyId);
  for (const v of s.versions) {
    const at = { secretId: s.id, versionId: v.id };
    ctx.store.put(VERSIONS_TABLE, versionRecordId(s, v.id), rewrapValue(ctx, cmk, at, readSealed(ctx, s, v.id)));
    v.kms_key_id = cmk.key_id;
  }
  s.kms_key_id = cmk.key_id;
}

/** Deletes a secret and its versions now (delete-secret, or a scheduled deletion that came due). */
export function deleteSecretNow(ctx: SecretsContext, s: SecretRecord): void {
  notify(ctx, s, 'SECRET_DELETED');
  deleteVersions(ctx, s);
  ctx.store.delete(SECRETS_TABLE, s.name);
  forgetSecret(ctx.store, s.name);
}

/** Precondition: a secret already pending deletion cannot be scheduled again (CSMS.0107). */
export function scheduleDeletion(ctx: SecretsContext, name: string, days: number): SecretRecord {
  const s = getSecret(ctx.store, name);
  if (s.state === 'PENDING_DELETE') throw new KeyholdError(CsmsErrors.AlreadyPendingDeletion, `The secret ${name} is already pending deletion.`, 400);
  const now = ctx.now();
  s.state = 'PENDING_DELETE';
  s.scheduled_delete_time = now + days * DAY_MS;
  s.update_time = now;
  ctx.store.put(SECRETS_TABLE, s.name, s);
  setDue(ctx.store, 'deletion', s.name, s.scheduled_delete_time);
  scheduleRotation(ctx, s);
  return s;
}

/** Precondition: only a secret pending deletion can be restored (CSMS.0108). */
export function restoreSecret(ctx: SecretsContext, name: string): SecretRecord {
  const s = getSecret(ctx.store, name);
  if (s.state !== 'PENDING_DELETE') throw new KeyholdError(CsmsErrors.NotPendingDeletion, `The secret ${name} is not pending deletion.`, 400);
  s.state = 'ENABLED';
  s.scheduled_delete_time = null;
  s.update_time = ctx.now();
  ctx.store.put(SECRETS_TABLE, s.name, s);
  setDue(ctx.store, 'deletion', s.name, null);
  scheduleRotation(ctx, s);
  return s;
}

/** Creates each item that validates and is accepted; the others are listed with their reason. */
export async function batchImport(
  ctx: SecretsContext,
  items: unknown[],
): Promise<{ total: number; success: number; failed: number; error_list: { name: string; error_msg: string }[] }> {
  const error_list: { name: string; error_msg: string }[] = [];
  for (const item of items) {
    const name = typeof (item as { name?: unknown })?.name === 'string' ? (item as { name: string }).name : '';
    try {
      await createSecret(ctx, parseInput(csmsOperations.createSecret, item));
    } catch (e) {
      if (!(e instanceof KeyholdError)) throw e;
      error_list.push({ name, error_msg: `${e.code}: ${e.message}` });
    }
  }
  return { total: items.length, success: items.length - error_list.length, failed: error_list.length, error_list };
}
