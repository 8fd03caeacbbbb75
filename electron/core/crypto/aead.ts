/**
 * AES-256-GCM with a 96-bit IV and a 128-bit tag. Callers choose the IV policy (random for
 * records and small data); this module only knows bytes.
 */
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export type AesKey = KeyObject | Buffer;

export function gcmSeal(key: AesKey, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  if (aad) cipher.setAAD(aad);
  const first = cipher.update(plaintext);
  const last = cipher.final();
  return { ciphertext: last.length ? Buffer.concat([first, last]) : first, tag: cipher.getAuthTag() };
}

/** Returns the plaintext, or null when authentication fails (the caller names the failure). */
export function gcmOpen(key: AesKey, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad?: Uint8Array): Buffer | null {
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const first = decipher.update(ciphertext);
  try {
    const last = decipher.final();
    return last.length ? Buffer.concat([first, last]) : first;
  } catch {
    first.fill(0);
    return null;
  }
}
