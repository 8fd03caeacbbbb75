/**
 * Secret versions: v1, v2 … in creation order, each value sealed in its own record. A secret
 * keeps at most 20 versions: adding the 21st purges the oldest version that carries no stage
 * (the cloud treats stageless versions as deprecated). With at most 12 stages, such a version
 * always exists.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { CSMS_LIMITS, type PageInfo, type VersionMetadata } from '../../../shared/operations/csms.js';
import type { CmkRecord } from '../kms/keys.js';
import type { SecretsContext } from './context.js';
import { setDue } from './due-index.js';
import { notify } from './events.js';
import { page } from './paging.js';
import { SECRETS_TABLE, stagesOf, toVersionMetadata, versionRecordId, VERSIONS_TABLE, type SecretRecord, type VersionMeta } from './records.js';
import { openValue, sealValue, type SealedValue, type SecretValue } from './sealing.js';
import { stageNewVersion } from './stages.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

/** Precondition: a JSON secret's value is a JSON object of scalar values (CSMS.0002). */
export function requireFormat(s: Pick<SecretRecord, 'name' | 'secret_format'>, value: SecretValue): void {
  if (s.secret_format !== 'JSON') return;
  const bad = (why: string) =>
    new KeyholdError(CsmsErrors.Invalid, `Invalid parameter secret_string: the secret ${s.name} holds JSON key/value pairs, and ${why}.`, 400);
  if (!('secret_string' in value)) throw bad('takes secret_string, not secret_binary');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.secret_string);
  } catch {
    throw bad('the value is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('the value must be a JSON object');
  for (const [k, v] of Object.entries(parsed)) {
    if (v !== null && typeof v === 'object') throw bad(`the value of key ${JSON.stringify(k)} must be a string, number, boolean or null`);
  }
}

export function valueOf(input: { secret_string?: string; secret_binary?: string }): SecretValue {
  return input.secret_string !== undefined ? { secret_string: input.secret_string } : { secret_binary: input.secret_binary ?? '' };
}

/**
 * Adds a version to `s` (which the caller has checked is enabled) and writes it and `s`.
 * All cryptography happens before the first write, so a refusal leaves nothing behind.
 */
export function addVersion(
  ctx: SecretsContext,
  s: SecretRecord,
  cmk: CmkRecord,
  value: SecretValue,
  opts: { stages?: readonly string[]; expire_time?: number } = {},
): VersionMeta {
  requireFormat(s, value);
  const now = ctx.now();
  const meta: VersionMeta = {
    id: `v${s.next_version}`,
    create_time: now,
    kms_key_id: cmk.key_id,
    ...(opts.expire_time === undefined ? {} : { expire_time: opts.expire_time }),
  };
  const sealed = sealValue(ctx, cmk, { secretId: s.id, versionId: meta.id }, value);
  s.next_version += 1;
  s.versions.push(meta);
  stageNewVersion(s, meta.id, opts.stages, now);
  purgeBeyondLimit(ctx, s);
  s.update_time = now;
  ctx.store.put(VERSIONS_TABLE, versionRecordId(s, meta.id), sealed);
  ctx.store.put(SECRETS_TABLE, s.name, s);
  if (meta.expire_time !== undefined) setDue(ctx.store, 'expiry', `${s.name}/${meta.id}`, meta.expire_time);
  notify(ctx, s, 'SECRET_VERSION_CREATED', meta);
  return meta;
}

function purgeBeyondLimit(ctx: SecretsContext, s: SecretRecord): void {
  while (s.versions.length > CSMS_LIMITS.versionsPerSecret) {
    const victim = s.versions.find((v) => stagesOf(s, v.id).length === 0);
    if (!victim) return;
    s.versions = s.versions.filter((v) => v !== victim);
    ctx.store.delete(VERSIONS_TABLE, versionRecordId(s, victim.id));
    setDue(ctx.store, 'expiry', `${s.name}/${victim.id}`, null);
  }
}

/** A version by id (`v3`), `latest` (the SYSCURRENT version) or a stage name. */
export function resolveVersion(s: SecretRecord, ref: string): VersionMeta {
  const id = ref === 'latest' ? s.stages.SYSCURRENT?.version_id : /^v[0-9]+$/.test(ref) ? ref : s.stages[ref]?.version_id;
  const v = s.versions.find((x) => x.id === id);
  if (!v) throw new KeyholdError(CsmsErrors.NotFound, `The secret ${s.name} has no version ${ref}.`, 404);
  return v;
}

/** A page of version metadata in creation order; `marker` is the last version id already seen. */
export function listVersions(s: SecretRecord, input: { limit: number; marker?: string }): { version_metadatas: VersionMetadata[]; page_info: PageInfo } {
  // Version ids sort by number, not by text (v10 comes after v9); a purged marker still works.
  const keysAfter = (after: string | undefined, n: number) =>
    s.versions
      .filter((v) => after === undefined || Number(v.id.slice(1)) > Number(after.slice(1)))
      .slice(0, n)
      .map((v) => v.id);
  const { items, page_info } = page(keysAfter, input.marker, input.limit, (id) => {
    const v = s.versions.find((x) => x.id === id);
    return v && toVersionMetadata(s, v);
  });
  return { version_metadatas: items, page_info };
}

/** Sets a version's expire_time; SECRET_VERSION_EXPIRED is notified when it passes. */
export function setExpiry(ctx: SecretsContext, s: SecretRecord, versionId: string, expireTime: number): VersionMeta {
  const v = resolveVersion(s, versionId);
  v.expire_time = expireTime;
  s.update_time = ctx.now();
  ctx.store.put(SECRETS_TABLE, s.name, s);
  setDue(ctx.store, 'expiry', `${s.name}/${v.id}`, expireTime);
  return v;
}

export function readSealed(ctx: SecretsContext, s: SecretRecord, versionId: string): SealedValue {
  const sealed = ctx.store.read<SealedValue>(VERSIONS_TABLE, versionRecordId(s, versionId));
  if (!sealed) throw new KeyholdError(CsmsErrors.NotFound, `The value of version ${versionId} of ${s.name} is missing.`, 404);
  return sealed;
}

export function revealVersion(ctx: SecretsContext, s: SecretRecord, v: VersionMeta): SecretValue {
  return openValue(ctx, { secretId: s.id, versionId: v.id }, readSealed(ctx, s, v.id));
}

/** Removes a secret's version records (the metadata record is the caller's). */
export function deleteVersions(ctx: SecretsContext, s: SecretRecord): void {
  for (const v of s.versions) ctx.store.delete(VERSIONS_TABLE, versionRecordId(s, v.id));
}
