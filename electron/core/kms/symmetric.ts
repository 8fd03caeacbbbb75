/**
 * Sealing and opening Keyhold ciphertexts (ciphertext.ts) under a CMK's versions: the current
 * version seals, the version the ciphertext names opens. Shared by encrypt-data and data keys.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { GCM_IV_BYTES } from '../crypto/aead.js';
import { randomBytes } from '../crypto/random.js';
import { CIPHERTEXT_ALG, contextAad, decodeCiphertext, encodeHeader, frame, unframe } from './ciphertext.js';
import type { KmsContext } from './context.js';
import { currentVersion, getKey, handleFor, requireUsable, requireUsage, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';

/** The ciphertext algorithm of a symmetric key (AES-256-GCM, SM4-GCM); other keys make none (KMS.0308). */
function algorithmOf(key: CmkRecord): number {
  const alg = CIPHERTEXT_ALG[KEY_SPEC_TABLE[key.key_spec].hsmKind];
  if (alg === undefined) throw new KeyholdError('KMS.0308', `Invalid key_id: ${key.key_spec} key ${key.key_id} is not a symmetric key; SYMMETRIC_DEFAULT ciphertexts and data keys need AES_256 or SM4.`, 400);
  return alg;
}

export interface Binding {
  additional_authenticated_data?: string | undefined;
  encryption_context?: Record<string, string> | undefined;
}

/**
 * Precondition: a symmetric key seals only when enabled and made for ENCRYPT_DECRYPT. Text is
 * sealed as its UTF-8 bytes (encoded straight into the frame, not copied there).
 */
export function seal(ctx: KmsContext, key: CmkRecord, plaintext: Buffer | string, binding: Binding): Buffer {
  requireUsable(key);
  requireUsage(key, 'ENCRYPT_DECRYPT');
  const algorithm = algorithmOf(key);
  const version = currentVersion(key);
  const iv = randomBytes(GCM_IV_BYTES);
  const header = encodeHeader({ algorithm, keyId: key.key_id, keyVersion: version.version, iv });
  const { ciphertext, tag } = ctx.hsm.encrypt(handleFor(ctx, version.material), iv, frame(plaintext), contextAad(header, binding.additional_authenticated_data, binding.encryption_context));
  return Buffer.concat([header, ciphertext, tag]);
}

/** Opens a ciphertext with the key and version it names; every failure is a typed error. */
export function open(ctx: KmsContext, raw: Buffer, expectedKeyId: string | undefined, binding: Binding): { key: CmkRecord; plain: Buffer } {
  const { header, headerBytes, body, tag } = decodeCiphertext(raw);
  if (expectedKeyId && expectedKeyId !== header.keyId) {
    throw new KeyholdError('KMS.2201', `Invalid cipher_text: it was made with key ${header.keyId}, not ${expectedKeyId}.`, 400);
  }
  const key = getKey(ctx, header.keyId);
  requireUsable(key);
  if (header.algorithm !== CIPHERTEXT_ALG[KEY_SPEC_TABLE[key.key_spec].hsmKind]) {
    throw new KeyholdError('KMS.2201', `Invalid cipher_text: its algorithm byte does not match key ${key.key_id} (${key.key_spec}).`, 400);
  }
  const version = key.versions.find((v) => v.version === header.keyVersion);
  if (!version) throw new KeyholdError('KMS.2201', `Invalid cipher_text: key ${key.key_id} has no version ${header.keyVersion}.`, 400);
  const framed = ctx.hsm.decrypt(handleFor(ctx, version.material), header.iv, body, tag, contextAad(headerBytes, binding.additional_authenticated_data, binding.encryption_context));
  if (!framed) {
    throw new KeyholdError('KMS.2201', 'Invalid cipher_text: it does not authenticate (altered, or the additional_authenticated_data / encryption_context differs).', 400);
  }
  return { key, plain: unframe(framed) };
}
