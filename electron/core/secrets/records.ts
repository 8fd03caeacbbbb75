/**
 * Secrets as stored. Each secret is one small sealed metadata record keyed by its name (the
 * cloud's identifier, so lists page in name order without opening anything); version values
 * live in separate records, so listing and showing metadata never decrypt a value.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { Secret, VersionMetadata } from '../../../shared/operations/csms.js';
import type { RecordStore } from '../vault/store.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

export const SECRETS_TABLE = 'csms_secrets';
export const VERSIONS_TABLE = 'csms_versions';

export interface VersionMeta {
  id: string;
  create_time: number;
  expire_time?: number;
  kms_key_id: string;
}

export interface StagePointer {
  version_id: string;
  update_time: number;
}

/** The stored secret: the cloud's Secret (less the two fields that are always empty here) plus its versions and stages. */
export interface SecretRecord extends Omit<Secret, 'rotation_config' | 'rotation_func_urn'> {
  /** Live versions in creation order (purged ones are gone). */
  versions: VersionMeta[];
  /** The number the next version gets: ids are never reused, even after a purge. */
  next_version: number;
  stages: Record<string, StagePointer>;
}

export function versionRecordId(secret: Pick<SecretRecord, 'id'>, versionId: string): string {
  return `${secret.id}/${versionId}`;
}

export function findSecret(store: RecordStore, name: string): SecretRecord | undefined {
  return store.read<SecretRecord>(SECRETS_TABLE, name);
}

export function getSecret(store: RecordStore, name: string): SecretRecord {
  const s = findSecret(store, name);
  if (!s) throw new KeyholdError(CsmsErrors.SecretNotFound, `The secret ${name} does not exist.`, 404);
  return s;
}

/** Precondition: values are read and versions added only while a secret is enabled (CSMS.0103). */
export function requireEnabled(s: SecretRecord): void {
  if (s.state === 'PENDING_DELETE')
    throw new KeyholdError(CsmsErrors.PendingDeletion, `The secret ${s.name} is pending deletion and cannot be used; restore it first.`, 400);
  if (s.state !== 'ENABLED') throw new KeyholdError(CsmsErrors.Invalid, `The secret ${s.name} is ${s.state} and cannot be used.`, 400);
}

export function stagesOf(s: SecretRecord, versionId: string): string[] {
  return Object.entries(s.stages)
    .filter(([, p]) => p.version_id === versionId)
    .map(([name]) => name)
    .sort();
}

export function toSecret({ versions: _versions, next_version: _next, stages: _stages, ...secret }: SecretRecord): Secret {
  return { ...secret, rotation_config: '', rotation_func_urn: '' };
}

export function toVersionMetadata(s: SecretRecord, v: VersionMeta): VersionMetadata {
  return {
    id: v.id,
    create_time: v.create_time,
    ...(v.expire_time === undefined ? {} : { expire_time: v.expire_time }),
    kms_key_id: v.kms_key_id,
    secret_name: s.name,
    version_stages: stagesOf(s, v.id),
  };
}
