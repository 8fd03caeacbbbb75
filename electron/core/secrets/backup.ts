/**
 * Secret backup blobs: the secret's metadata record and every sealed version (values stay
 * under their data keys, which stay under the CMK), sealed again with AES-256-GCM under a key
 * derived from this vault's root key. Only this vault, or a copy restored from its backup,
 * can open a blob; any altered byte fails authentication. Layout:
 *
 *   KHSB1.<vault_id>.<base64url(iv ‖ ciphertext ‖ tag)>     AAD = "keyhold-csms-blob|1|<vault_id>"
 *
 * The vault id is in clear so a foreign blob is named as such instead of as "altered".
 */
import { KeyholdError } from '../../../shared/errors.js';
import { concatSealed, gcmOpen, gcmSeal, splitSealed } from '../crypto/aead.js';
import { hkdf32 } from '../crypto/hmac.js';
import type { SecretsContext } from './context.js';
import { setDue } from './due-index.js';
import { SECRETS_TABLE, versionRecordId, VERSIONS_TABLE, type SecretRecord } from './records.js';
import { scheduleRotation } from './rotation.js';
import { checkOpens, type SealedValue } from './sealing.js';
import { requireFreeName } from './secrets.js';
import { readSealed } from './versions.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

const MAGIC = 'KHSB1';

interface BlobBody {
  secret: SecretRecord;
  versions: Record<string, SealedValue>;
}

function blobKey(ctx: SecretsContext): Buffer {
  return hkdf32(ctx.vault.subkey('backup'), 'keyhold/v1/csms-secret-blob');
}

const aad = (vaultId: string) => Buffer.from(`keyhold-csms-blob|1|${vaultId}`);

function refuse(why: string): KeyholdError {
  return new KeyholdError(CsmsErrors.Invalid, `Invalid parameter secret_blob: ${why}.`, 400);
}

export function backupSecret(ctx: SecretsContext, s: SecretRecord): string {
  const body: BlobBody = { secret: s, versions: Object.fromEntries(s.versions.map((v) => [v.id, readSealed(ctx, s, v.id)])) };
  const vaultId = ctx.vault.header.vault_id;
  const sealed = gcmSeal(blobKey(ctx), Buffer.from(JSON.stringify(body), 'utf8'), aad(vaultId));
  return `${MAGIC}.${vaultId}.${concatSealed(sealed).toString('base64url')}`;
}

/** Opens a blob; total over any string: a value or a CSMS.0002 naming what is wrong. */
export function openBlob(ctx: SecretsContext, blob: string): BlobBody {
  const parts = blob.split('.');
  if (parts.length !== 3 || parts[0] !== MAGIC || !/^[0-9a-f]{32}$/.test(parts[1] ?? '') || !/^[A-Za-z0-9_-]+$/.test(parts[2] ?? '')) {
    throw refuse('it is not a Keyhold secret backup');
  }
  const vaultId = parts[1] as string;
  if (vaultId !== ctx.vault.header.vault_id) throw refuse('it was made by another vault, which alone can restore it');
  const sealed = splitSealed(Buffer.from(parts[2] as string, 'base64url'));
  if (!sealed) throw refuse('it is truncated');
  const plain = gcmOpen(blobKey(ctx), sealed, aad(vaultId));
  if (!plain) throw refuse('it does not authenticate (altered or damaged)');
  return JSON.parse(plain.toString('utf8')) as BlobBody;
}

/**
 * Restores a secret from its blob under its original name and id. Preconditions: the name is
 * free (CSMS.0002), and every version's data key still opens under its CMK (the CMK's errors).
 */
export function restoreFromBlob(ctx: SecretsContext, blob: string): SecretRecord {
  const { secret: s, versions } = openBlob(ctx, blob);
  requireFreeName(ctx, s.name);
  for (const v of s.versions) {
    const sealed = versions[v.id];
    if (!sealed) throw refuse(`version ${v.id} is missing from it`);
    checkOpens(ctx, { secretId: s.id, versionId: v.id }, sealed);
  }
  for (const v of s.versions) ctx.store.put(VERSIONS_TABLE, versionRecordId(s, v.id), versions[v.id]);
  ctx.store.put(SECRETS_TABLE, s.name, s);
  scheduleRotation(ctx, s);
  for (const v of s.versions) if (v.expire_time !== undefined) setDue(ctx.store, 'expiry', `${s.name}/${v.id}`, v.expire_time);
  if (s.state === 'PENDING_DELETE' && s.scheduled_delete_time !== null) setDue(ctx.store, 'deletion', s.name, s.scheduled_delete_time);
  return s;
}
