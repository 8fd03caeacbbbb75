/**
 * Customer master keys as stored records, and the rules about them: lookup with the cloud's
 * errors, the state machine (reference §4.4), aliases, default keys and the quota.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { LIMITS, type DefaultKeyService, type KeySpec, type KeyUsage } from '../../../shared/constants.js';
import type { KeyDetails, KeyState } from '../../../shared/operations/index.js';
import type { KeyHandle, WrappedKey } from '../hsm/backend.js';
import { newUuid } from '../crypto/random.js';
import type { KmsContext } from './context.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { generateIn, OWN_STORE, tokenKeyHandle } from './keystores.js';
import { isTokenRef } from '../hsm/pkcs11/ref.js';
import { KMS_REFUSALS, refusal, type WrapRefusal } from './refusals.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

export const CMK_TABLE = 'kms_keys';
/** Where grants are stored (grants.ts owns them; read here for the grant check). */
export const GRANTS_TABLE = 'kms_grants';

export interface CmkVersion {
  version: number;
  material: WrappedKey;
  created: number;
}

export interface CmkRecord {
  key_id: string;
  key_alias: string;
  key_spec: KeySpec;
  key_usage: KeyUsage;
  key_description: string;
  creation_date: number;
  scheduled_deletion_date: number | null;
  key_state: KeyState;
  default_key: boolean;
  origin: 'kms' | 'external';
  rotation_enabled: boolean;
  /** Every version ever created; the last is current. Old versions keep decrypting. */
  versions: CmkVersion[];
  /** Rotation interval in days (30-365); absent until rotation is first enabled. */
  rotation_interval?: number;
  /** When the key last rotated (ms); the next automatic rotation is due an interval later. */
  last_rotation?: number | null;
  number_of_rotations?: number;
  /** The automatic-rotation interval counts from here: when rotation was enabled, or the last rotation. */
  rotation_anchor?: number;
  tags?: { key: string; value: string }[];
  /** Imported material expires at this time (ms); the key then returns to pending import. */
  material_expiration?: number | null;
  /** Keyed fingerprint of the imported material: a re-import must match it (KMS.2606). */
  material_fingerprint?: string | null;
  /** The PKCS#11 key store holding its material (keystores.ts); absent for Keyhold's own ("0"). */
  keystore_id?: string;
}

/** Vault-wide KMS settings (one record), such as the configurable custom-key quota. */
export const SETTINGS_TABLE = 'kms_settings';
export interface KmsSettings {
  cmk_quota: number;
}

export function keyQuota(ctx: KmsContext): number {
  return ctx.store.read<KmsSettings>(SETTINGS_TABLE, 'settings')?.cmk_quota ?? LIMITS.customKeyQuota;
}

export const STATE = { pendingActivation: '1', enabled: '2', disabled: '3', pendingDeletion: '4', pendingImport: '5' } as const;

export function toKeyDetails(k: CmkRecord, ctx: KmsContext): KeyDetails {
  return {
    key_id: k.key_id,
    domain_id: ctx.domain.domain_id,
    key_alias: k.key_alias,
    realm: ctx.domain.realm,
    key_spec: k.key_spec,
    key_usage: k.key_usage,
    key_description: k.key_description,
    creation_date: String(k.creation_date),
    scheduled_deletion_date: k.scheduled_deletion_date === null ? '' : String(k.scheduled_deletion_date),
    key_state: k.key_state,
    default_key_flag: k.default_key ? '1' : '0',
    key_type: KEY_SPEC_TABLE[k.key_spec].symmetric ? '1' : '2',
    expiration_time: k.material_expiration ? String(k.material_expiration) : '',
    origin: k.origin,
    key_rotation_enabled: k.rotation_enabled ? 'true' : 'false',
    sys_enterprise_project_id: '0',
    keystore_id: k.keystore_id ?? OWN_STORE,
  };
}

export function getKey(ctx: KmsContext, keyId: string): CmkRecord {
  const k = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
  if (!k) throw refusal(KMS_REFUSALS, 'not-found', `The key ${keyId} does not exist.`);
  if (ctx.caller?.role === 'grantee') requireGrant(ctx, keyId, ctx.caller.access_key);
  return k;
}

/** Precondition: a grantee caller holds a grant on the key for the operation being run (else KMS.0306). */
function requireGrant(ctx: KmsContext, keyId: string, principal: string): void {
  const granted = ctx.store
    .list<{ key_id: string; grantee_principal: string; operations: string[] }>(GRANTS_TABLE)
    .some((g) => g.key_id === keyId && g.grantee_principal === principal && ctx.operation !== undefined && g.operations.includes(ctx.operation));
  if (!granted)
    throw new KeyholdError(KmsErrors.NoPermission, `Access key ${principal} has no grant for ${ctx.operation ?? 'this operation'} on key ${keyId}.`, 403);
}

/** The one state rule for using a key's material: only an enabled key is used. */
export function stateRefusal(k: CmkRecord): { reason: WrapRefusal; why: string } | null {
  if (k.key_state === STATE.enabled) return null;
  if (k.key_state === STATE.disabled) return { reason: 'disabled', why: 'is disabled' };
  if (k.key_state === STATE.pendingDeletion) return { reason: 'pending-deletion', why: 'is pending deletion' };
  return { reason: 'not-active', why: k.key_state === STATE.pendingImport ? 'is pending import (it has no key material)' : 'is pending activation' };
}

/** Precondition: a key used for cryptography is enabled (disabled → KMS.0209, pending deletion → KMS.0210). */
export function requireUsable(k: CmkRecord): void {
  const refused = stateRefusal(k);
  if (refused)
    throw refusal(KMS_REFUSALS, refused.reason, `${refused.reason === 'not-active' ? 'Invalid key_id: the' : 'The'} key ${k.key_id} ${refused.why}.`);
}

/** Precondition: a key's metadata (alias, description, tags, grants) does not change while it is pending deletion. */
export function requireNotPendingDeletion(k: CmkRecord): void {
  if (k.key_state === STATE.pendingDeletion) throw new KeyholdError(KmsErrors.KeyPendingDeletion, `The key ${k.key_id} is pending deletion.`, 400);
}

/** Precondition: the key was made for this usage (an AES key does not sign, an RSA signing key does not encrypt). */
export function requireUsage(k: CmkRecord, usage: KeyUsage): void {
  if (k.key_usage !== usage)
    throw new KeyholdError(KmsErrors.Invalid, `Invalid key_id: the key ${k.key_id} has key_usage ${k.key_usage}, not ${usage}.`, 400, 'key.wrong-usage');
}

/** Precondition: default keys are never disabled, deleted, renamed or granted (KMS.0211). */
export function requireNotDefault(k: CmkRecord, action: string): void {
  if (k.default_key) throw new KeyholdError(KmsErrors.DefaultKey, `The default key ${k.key_alias} cannot be ${action}.`, 400);
}

export function handleFor(ctx: KmsContext, material: WrappedKey): KeyHandle {
  // Not cached here: a token key's store is checked (enabled, token present) on every use.
  if (isTokenRef(material)) return tokenKeyHandle(ctx, material);
  let h = ctx.handles.get(material);
  if (!h) {
    h = ctx.hsm.unwrap(material);
    ctx.handles.set(material, h);
  }
  return h;
}

export function currentVersion(k: CmkRecord): CmkVersion {
  const v = k.versions[k.versions.length - 1];
  if (!v) throw new KeyholdError(KmsErrors.NotPendingImport, `The key ${k.key_id} has no key material.`, 400);
  return v;
}

export interface NewKeyFields {
  key_alias: string;
  key_spec: KeySpec;
  key_usage: KeyUsage;
  key_description: string;
  origin: 'kms' | 'external';
  default_key?: boolean;
  keystore_id?: string;
}

/** Precondition of a new key: its alias is free (KMS.1104) and the quota not reached (KMS.1105). */
export function requireRoomFor(ctx: KmsContext, fields: Pick<NewKeyFields, 'key_alias' | 'default_key'>): void {
  const { keys: existing, damaged } = openableKeys(ctx);
  if (existing.some((k) => k.key_alias === fields.key_alias))
    throw new KeyholdError(KmsErrors.AliasExists, `The alias ${fields.key_alias} already exists.`, 400);
  const quota = keyQuota(ctx);
  // A key that does not open still takes its place in the quota.
  if (!fields.default_key && existing.filter((k) => !k.default_key).length + damaged.length >= quota) {
    throw new KeyholdError(KmsErrors.QuotaReached, `The quota of ${quota} customer master keys is reached.`, 400);
  }
}

/**
 * Writes a new key. `material` is version 1's, generated beforehand (create-key generates
 * before its transaction); without it, material is generated here (default keys: AES, fast).
 */
export async function newKey(ctx: KmsContext, fields: NewKeyFields, material?: WrappedKey): Promise<CmkRecord> {
  requireRoomFor(ctx, fields);
  const now = ctx.now();
  const external = fields.origin === 'external';
  const { keystore_id = OWN_STORE, ...rest } = fields;
  const record: CmkRecord = {
    key_id: newUuid(),
    ...rest,
    ...(keystore_id === OWN_STORE ? {} : { keystore_id }),
    default_key: fields.default_key ?? false,
    creation_date: now,
    scheduled_deletion_date: null,
    key_state: external ? STATE.pendingImport : STATE.enabled,
    rotation_enabled: false,
    versions: external
      ? []
      : [{ version: 1, material: material ?? (await generateIn(ctx, keystore_id, KEY_SPEC_TABLE[fields.key_spec].hsmKind)), created: now }],
  };
  ctx.store.put(CMK_TABLE, record.key_id, record);
  return record;
}

/**
 * Every key that opens, and the errors of those that do not: for the lookups every call of a
 * service makes (its default key, a new key's alias and quota), which one damaged, unrelated
 * key must not take down. Listing operations still fail on it, naming it.
 */
function openableKeys(ctx: KmsContext): { keys: CmkRecord[]; damaged: KeyholdError[] } {
  const keys: CmkRecord[] = [];
  const damaged: KeyholdError[] = [];
  for (const id of ctx.store.ids(CMK_TABLE)) {
    try {
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, id);
      if (key) keys.push(key);
    } catch (e) {
      if (!(e instanceof KeyholdError)) throw e;
      damaged.push(e);
    }
  }
  return { keys, damaged };
}

/** The service's default key; when it is not among the keys that open, a damaged key may be it. */
export function findDefaultKey(ctx: KmsContext, service: DefaultKeyService): CmkRecord | undefined {
  const { keys, damaged } = openableKeys(ctx);
  const found = keys.find((k) => k.default_key && k.key_alias === `${service}/default`);
  if (!found && damaged[0]) throw damaged[0];
  return found;
}

/** The service's default key, created on first use (an AES_256 key that never disables). */
export async function ensureDefaultKey(ctx: KmsContext, service: DefaultKeyService): Promise<CmkRecord> {
  return (
    findDefaultKey(ctx, service) ??
    newKey(ctx, {
      key_alias: `${service}/default`,
      key_spec: 'AES_256',
      key_usage: 'ENCRYPT_DECRYPT',
      key_description: `Default key of ${service}`,
      origin: 'kms',
      default_key: true,
    })
  );
}
