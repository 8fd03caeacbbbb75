/**
 * Key pairs as vault records, and their hosted private keys: sealed with AES-256-GCM by the
 * HSM under `kps/default` or a CMK the caller names, bound (AAD) to the key pair's name and the
 * CMK version, so a sealed key cannot be moved to another key pair.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { GCM_IV_BYTES } from '../crypto/aead.js';
import { randomBytes } from '../crypto/random.js';
import type { KmsContext } from '../kms/context.js';
import { CMK_TABLE, currentVersion, ensureDefaultKey, getKey, handleFor, requireUsable, type CmkRecord } from '../kms/keys.js';
import { KpsErrors, kpsError } from './errors.js';
import { opensshPrivate } from './formats/openssh-private.js';
import type { PrivateKey } from './key.js';

export const KEYPAIR_TABLE = 'kps_keypairs';

export interface SealedPrivateKey {
  key_id: string;
  key_version: number;
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface KeypairRecord {
  name: string;
  id: number;
  type: 'ssh' | 'x509';
  scope: 'user' | 'domain';
  /** The OpenSSH one-line form, always normalised (RFC 4716 input included). */
  public_key: string;
  key_type: string;
  algorithm: string;
  fingerprint: string;
  description: string;
  user_id: string;
  create_time: number;
  update_time: number;
  private_key: SealedPrivateKey | null;
}

export function findKeypair(ctx: KmsContext, name: string): KeypairRecord | undefined {
  return ctx.store.read<KeypairRecord>(KEYPAIR_TABLE, name);
}

export function getKeypair(ctx: KmsContext, name: string): KeypairRecord {
  const k = findKeypair(ctx, name);
  if (!k) throw kpsError(KpsErrors.NotFound, `Key pair '${name}' does not exist.`, 404);
  return k;
}

export interface Protection {
  type: 'default' | 'kms';
  kms_key_name?: string;
  kms_key_id?: string;
}

async function sealingKey(ctx: KmsContext, p: Protection): Promise<CmkRecord> {
  if (p.type === 'default') return ensureDefaultKey(ctx, 'kps');
  let key: CmkRecord | undefined;
  if (p.kms_key_id) key = getKey(ctx, p.kms_key_id);
  else if (p.kms_key_name) key = ctx.store.list<CmkRecord>(CMK_TABLE).find((k) => k.key_alias === p.kms_key_name);
  else throw kpsError(KpsErrors.Missing, 'Missing parameter: key_protection.encryption needs kms_key_id or kms_key_name when type is kms.');
  if (!key) throw new KeyholdError('KMS.0207', `The key ${p.kms_key_name ?? ''} does not exist.`, 404);
  requireUsable(key);
  if (key.key_spec !== 'AES_256' || key.key_usage !== 'ENCRYPT_DECRYPT') throw kpsError(KpsErrors.Invalid, `The key ${key.key_id} cannot encrypt private keys (it must be an AES_256 encryption key).`);
  return key;
}

function aad(name: string, keyId: string, version: number): Buffer {
  return Buffer.from(`keyhold kps private key|${name}|${keyId}|${version}`, 'utf8');
}

export async function sealPrivateKey(ctx: KmsContext, name: string, key: PrivateKey, comment: string, p: Protection): Promise<SealedPrivateKey> {
  const cmk = await sealingKey(ctx, p);
  const version = currentVersion(cmk);
  const plaintext = Buffer.from(await opensshPrivate.serialize(key, { comment }), 'utf8');
  const iv = randomBytes(GCM_IV_BYTES);
  try {
    const { ciphertext, tag } = ctx.hsm.encrypt(handleFor(ctx, version.material), iv, plaintext, aad(name, cmk.key_id, version.version));
    return { key_id: cmk.key_id, key_version: version.version, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: tag.toString('base64') };
  } finally {
    plaintext.fill(0);
  }
}

/** The hosted private key as unencrypted OpenSSH text (the caller converts and never stores it). */
export function unsealPrivateKey(ctx: KmsContext, record: KeypairRecord): string {
  const sealed = record.private_key;
  if (!sealed) throw kpsError(KpsErrors.NoPrivateKey, `Key pair '${record.name}' has no hosted private key.`);
  const cmk = getKey(ctx, sealed.key_id);
  requireUsable(cmk);
  const version = cmk.versions.find((v) => v.version === sealed.key_version);
  if (!version) throw kpsError(KpsErrors.SealBroken, `The private key of '${record.name}' was sealed with a key version that no longer exists.`, 500);
  const plain = ctx.hsm.decrypt(handleFor(ctx, version.material), Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.ciphertext, 'base64'), Buffer.from(sealed.tag, 'base64'), aad(record.name, sealed.key_id, sealed.key_version));
  if (!plain) throw kpsError(KpsErrors.SealBroken, `The private key of '${record.name}' does not authenticate under its CMK.`, 500);
  try {
    return plain.toString('utf8');
  } finally {
    plain.fill(0);
  }
}
