/**
 * Envelope sealing of one version's value: a fresh 256-bit data key encrypts the value with
 * AES-256-GCM, and the CMK (through the HSM) encrypts the data key. Both AADs bind the secret
 * id and version id, so a sealed value cannot be moved to another version or secret. Changing
 * the CMK re-wraps only the data key; the value's ciphertext stays as it is.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { gcmOpen, gcmSeal } from '../crypto/aead.js';
import { randomBytes } from '../crypto/random.js';
import type { CmkRecord } from '../kms/keys.js';
import { unwrapUnderCmk, wrapUnderCmk } from '../kms/wrap.js';
import { CSMS_REFUSALS, usableCmk } from './cmk.js';
import type { SecretsContext } from './context.js';

export type SecretValue = { secret_string: string } | { secret_binary: string };

interface WrappedDataKey {
  key_id: string;
  key_version: number;
  iv: string;
  ct: string;
  tag: string;
}

export interface SealedValue {
  kind: 'string' | 'binary';
  iv: string;
  ct: string;
  tag: string;
  data_key: WrappedDataKey;
}

interface Where {
  secretId: string;
  versionId: string;
}

const b64 = (b: Buffer) => b.toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64');

function valueAad(at: Where, kind: SealedValue['kind']): Buffer {
  return Buffer.from(`keyhold-csms-value|${at.secretId}|${at.versionId}|${kind}`);
}

function dataKeyAad(at: Where, keyId: string, keyVersion: number): Buffer {
  return Buffer.from(`keyhold-csms-dk|${at.secretId}|${at.versionId}|${keyId}|${keyVersion}`);
}

function corrupt(at: Where): KeyholdError {
  return new KeyholdError(LocalErrors.RecordCorrupt, `The sealed value of version ${at.versionId} does not authenticate: it was altered outside Keyhold.`, 500);
}

/** `cmk` passed usableCmk (chooseCmk) in the operation that seals. */
function wrapDataKey(ctx: SecretsContext, cmk: CmkRecord, at: Where, dataKey: Buffer): WrappedDataKey {
  const w = wrapUnderCmk(ctx, cmk, dataKey, (k) => dataKeyAad(at, k.keyId, k.keyVersion));
  return { key_id: w.keyId, key_version: w.keyVersion, iv: b64(w.iv), ct: b64(w.ciphertext), tag: b64(w.tag) };
}

function unwrapDataKey(ctx: SecretsContext, at: Where, w: WrappedDataKey): Buffer {
  const cmk = usableCmk(ctx, w.key_id);
  const wrapped = { keyId: w.key_id, keyVersion: w.key_version, iv: unb64(w.iv), ciphertext: unb64(w.ct), tag: unb64(w.tag) };
  return unwrapUnderCmk(ctx, cmk, wrapped, dataKeyAad(at, w.key_id, w.key_version), CSMS_REFUSALS, `The data key of version ${at.versionId}`);
}

export function sealValue(ctx: SecretsContext, cmk: CmkRecord, at: Where, value: SecretValue): SealedValue {
  const kind = 'secret_string' in value ? 'string' : 'binary';
  const plain = 'secret_string' in value ? Buffer.from(value.secret_string, 'utf8') : unb64(value.secret_binary);
  const dataKey = randomBytes(32);
  try {
    const { iv, ciphertext, tag } = gcmSeal(dataKey, plain, valueAad(at, kind));
    return { kind, iv: b64(iv), ct: b64(ciphertext), tag: b64(tag), data_key: wrapDataKey(ctx, cmk, at, dataKey) };
  } finally {
    dataKey.fill(0);
    plain.fill(0);
  }
}

export function openValue(ctx: SecretsContext, at: Where, sealed: SealedValue): SecretValue {
  const dataKey = unwrapDataKey(ctx, at, sealed.data_key);
  try {
    const plain = gcmOpen(dataKey, { iv: unb64(sealed.iv), ciphertext: unb64(sealed.ct), tag: unb64(sealed.tag) }, valueAad(at, sealed.kind));
    if (!plain) throw corrupt(at);
    return sealed.kind === 'string' ? { secret_string: plain.toString('utf8') } : { secret_binary: b64(plain) };
  } finally {
    dataKey.fill(0);
  }
}

/** Precondition for restoring a sealed value: its data key still opens under its CMK. */
export function checkOpens(ctx: SecretsContext, at: Where, sealed: SealedValue): void {
  unwrapDataKey(ctx, at, sealed.data_key).fill(0);
}

/** The same sealed value with its data key wrapped by `cmk` instead; the value is not decrypted. */
export function rewrapValue(ctx: SecretsContext, cmk: CmkRecord, at: Where, sealed: SealedValue): SealedValue {
  const dataKey = unwrapDataKey(ctx, at, sealed.data_key);
  try {
    return { ...sealed, data_key: wrapDataKey(ctx, cmk, at, dataKey) };
  } finally {
    dataKey.fill(0);
  }
}
