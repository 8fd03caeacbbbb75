/**
 * AES-256-GCM with a 96-bit IV and a 128-bit tag. Sealing draws the IV here, from the CSPRNG,
 * for every call: no caller chooses one, so no caller can repeat one under a key. Explicit IVs
 * exist only where frame counters need them (crypto/gcm-into.ts, the envelope frame pipeline).
 */
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { randomBytes } from './random.js';

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export type AesKey = KeyObject | Buffer;

/** A GCM output: the IV the seal drew, the ciphertext and the tag. */
export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * The AAD of a seal: fixed bytes, or bytes made from the IV the seal drew, for a format whose
 * AAD covers its own header, IV included (docs/ciphertext-format.md).
 */
export type SealAad = Uint8Array | ((iv: Buffer) => Uint8Array);

export function gcmSeal(key: AesKey, plaintext: Uint8Array, aad?: SealAad): Sealed {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  if (aad) cipher.setAAD(typeof aad === 'function' ? aad(iv) : aad);
  const first = cipher.update(plaintext);
  const last = cipher.final();
  return { iv, ciphertext: last.length ? Buffer.concat([first, last]) : first, tag: cipher.getAuthTag() };
}

/** Returns the plaintext, or null when authentication fails (the caller names the failure). */
export function gcmOpen(key: AesKey, sealed: Sealed, aad?: Uint8Array): Buffer | null {
  const { iv, ciphertext, tag } = sealed;
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

/** `iv ‖ ciphertext ‖ tag`, the one-buffer form most stored blobs use. */
export function concatSealed(s: Sealed): Buffer {
  return Buffer.concat([s.iv, s.ciphertext, s.tag]);
}

/** Splits `iv ‖ ciphertext ‖ tag`; null when too short to hold an IV and a tag. */
export function splitSealed(b: Buffer): Sealed | null {
  if (b.length < GCM_IV_BYTES + GCM_TAG_BYTES) return null;
  return { iv: b.subarray(0, GCM_IV_BYTES), ciphertext: b.subarray(GCM_IV_BYTES, b.length - GCM_TAG_BYTES), tag: b.subarray(b.length - GCM_TAG_BYTES) };
}
