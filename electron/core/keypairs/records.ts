/**
 * Key pairs as vault records, and their hosted private keys: sealed with AES-256-GCM by the
 * HSM under `kps/default` or a CMK the caller names, bound (AAD) to the key pair's name and the
 * CMK version, so a sealed key cannot be moved to another key pair.
 */
import type { KmsContext } from '../kms/context.js';
import { ensureDefaultKey, type CmkRecord } from '../kms/keys.js';
import { KMS_REFUSALS, type Refusals } from '../kms/refusals.js';
import { requireWrappingKey, unwrapUnderCmk, wrapUnderCmk } from '../kms/wrap.js';
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

/**
 * KPS answers a missing or unusable CMK with KMS's codes (as the cloud's KPS does), a CMK of the
 * wrong kind as its own invalid parameter, and a seal that no longer opens as KPS.7005.
 */
const KPS_REFUSALS: Refusals = {
  ...KMS_REFUSALS,
  'wrong-usage': [KpsErrors.Invalid, 400],
  'wrong-spec': [KpsErrors.Invalid, 400],
  'missing-version': [KpsErrors.SealBroken, 500],
  'does-not-authenticate': [KpsErrors.SealBroken, 500],
};

async function sealingKey(ctx: KmsContext, p: Protection): Promise<CmkRecord> {
  if (p.type === 'default') return requireWrappingKey(ctx, await ensureDefaultKey(ctx, 'kps'), KPS_REFUSALS);
  if (p.kms_key_id) return requireWrappingKey(ctx, { key_id: p.kms_key_id }, KPS_REFUSALS);
  if (p.kms_key_name) return requireWrappingKey(ctx, { key_alias: p.kms_key_name }, KPS_REFUSALS);
  throw kpsError(KpsErrors.Missing, 'Missing parameter: key_protection.encryption needs kms_key_id or kms_key_name when type is kms.');
}

function aad(name: string, keyId: string, version: number): Buffer {
  return Buffer.from(`keyhold kps private key|${name}|${keyId}|${version}`, 'utf8');
}

export async function sealPrivateKey(ctx: KmsContext, name: string, key: PrivateKey, comment: string, p: Protection): Promise<SealedPrivateKey> {
  const cmk = await sealingKey(ctx, p);
  const plaintext = Buffer.from(await opensshPrivate.serialize(key, { comment }), 'utf8');
  try {
    const w = wrapUnderCmk(ctx, cmk, plaintext, (at) => aad(name, at.keyId, at.keyVersion));
    return {
      key_id: w.keyId,
      key_version: w.keyVersion,
      iv: w.iv.toString('base64'),
      ciphertext: w.ciphertext.toString('base64'),
      tag: w.tag.toString('base64'),
    };
  } finally {
    plaintext.fill(0);
  }
}

/** The hosted private key as unencrypted OpenSSH text (the caller converts and never stores it). */
export function unsealPrivateKey(ctx: KmsContext, record: KeypairRecord): string {
  const sealed = record.private_key;
  if (!sealed) throw kpsError(KpsErrors.NoPrivateKey, `Key pair '${record.name}' has no hosted private key.`);
  const cmk = requireWrappingKey(ctx, { key_id: sealed.key_id }, KPS_REFUSALS);
  const wrapped = {
    keyId: sealed.key_id,
    keyVersion: sealed.key_version,
    iv: Buffer.from(sealed.iv, 'base64'),
    ciphertext: Buffer.from(sealed.ciphertext, 'base64'),
    tag: Buffer.from(sealed.tag, 'base64'),
  };
  const plain = unwrapUnderCmk(ctx, cmk, wrapped, aad(record.name, sealed.key_id, sealed.key_version), KPS_REFUSALS, `The private key of '${record.name}'`);
  try {
    return plain.toString('utf8');
  } finally {
    plain.fill(0);
  }
}
