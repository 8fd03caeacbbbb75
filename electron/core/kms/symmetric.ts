/**
 * Sealing and opening Keyhold ciphertexts (ciphertext.ts) under a CMK's versions, through the
 * wrap helpers (wrap.ts): the current version seals, the version the ciphertext names opens.
 * Shared by encrypt-data and data keys.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { CIPHERTEXT_ALG, contextAad, decodeCiphertext, encodeHeader, frame, unframe } from './ciphertext.js';
import type { KmsContext } from './context.js';
import { getKey, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { KMS_REFUSALS } from './refusals.js';
import { requireWrappingKey, unwrapUnderCmk, wrapUnderCmk } from './wrap.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** The ciphertext algorithm byte of a wrapping key's spec (AES-256-GCM or SM4-GCM; wrap.ts admits no other). */
function algorithmOf(key: CmkRecord): number | undefined {
  return CIPHERTEXT_ALG[KEY_SPEC_TABLE[key.key_spec].hsmKind];
}

export interface Binding {
  additional_authenticated_data?: string | undefined;
  encryption_context?: Record<string, string> | undefined;
}

/**
 * Precondition: a key seals only when enabled, made for ENCRYPT_DECRYPT and symmetric (checked
 * here, once, by requireWrappingKey). Text is sealed as its UTF-8 bytes (encoded straight into
 * the frame, not copied there). The AAD covers the header, IV included (ciphertext-format.md).
 */
export function seal(ctx: KmsContext, key: CmkRecord, plaintext: Buffer | string, binding: Binding): Buffer {
  requireWrappingKey(ctx, key, KMS_REFUSALS);
  const algorithm = algorithmOf(key) as number;
  const aad = (at: { keyId: string; keyVersion: number; iv: Buffer }) =>
    contextAad(encodeHeader({ algorithm, ...at }), binding.additional_authenticated_data, binding.encryption_context);
  const { keyId, keyVersion, iv, ciphertext, tag } = wrapUnderCmk(ctx, key, frame(plaintext), aad);
  return Buffer.concat([encodeHeader({ algorithm, keyId, keyVersion, iv }), ciphertext, tag]);
}

/** Opens a ciphertext with the key and version it names; every failure is a typed error. */
export function open(ctx: KmsContext, raw: Buffer, expectedKeyId: string | undefined, binding: Binding): { key: CmkRecord; plain: Buffer } {
  const { header, headerBytes, body, tag } = decodeCiphertext(raw);
  if (expectedKeyId && expectedKeyId !== header.keyId) {
    throw new KeyholdError(
      KmsErrors.BadCipherText,
      `Invalid cipher_text: it was made with key ${header.keyId}, not ${expectedKeyId}.`,
      400,
      'ciphertext.other-key',
    );
  }
  const key = requireWrappingKey(ctx, getKey(ctx, header.keyId), KMS_REFUSALS);
  if (header.algorithm !== algorithmOf(key)) {
    throw new KeyholdError(
      KmsErrors.BadCipherText,
      `Invalid cipher_text: its algorithm byte does not match key ${key.key_id} (${key.key_spec}).`,
      400,
      'ciphertext.algorithm',
    );
  }
  const wrapped = { keyId: header.keyId, keyVersion: header.keyVersion, iv: header.iv, ciphertext: body, tag };
  const framed = unwrapUnderCmk(
    ctx,
    key,
    wrapped,
    contextAad(headerBytes, binding.additional_authenticated_data, binding.encryption_context),
    KMS_REFUSALS,
    'Invalid cipher_text: it',
  );
  return { key, plain: unframe(framed) };
}
