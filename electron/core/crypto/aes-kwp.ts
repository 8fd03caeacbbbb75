/**
 * AES key wrap with padding (RFC 5649), as `openssl enc -id-aes256-wrap-pad` writes it: how a
 * private key travels inside an asymmetric BYOK import, under a temporary AES key. OpenSSL does
 * the work (node:crypto's `id-aes<N>-wrap-pad` ciphers); this file only picks the cipher by key
 * length and turns OpenSSL's failures into one answer, `null`, whatever failed (the integrity
 * check value, the padding, the length), so a caller cannot tell them apart.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** The alternative initial value of RFC 5649 §3; with it the cipher checks the ICV and the padding. */
const AIV = Buffer.from('A65959A6', 'hex');

function cipherFor(kek: Buffer): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) throw new RangeError('AES-KWP takes a 128, 192 or 256-bit key.');
  return `id-aes${kek.length * 8}-wrap-pad`;
}

/** Wraps `plaintext` (1 byte or more) under `kek`. */
export function kwpWrap(kek: Buffer, plaintext: Buffer): Buffer {
  const c = createCipheriv(cipherFor(kek), kek, AIV);
  return Buffer.concat([c.update(plaintext), c.final()]);
}

/** Unwraps; any mismatch (integrity check, padding, length) is null. */
export function kwpUnwrap(kek: Buffer, wrapped: Buffer): Buffer | null {
  // The smallest wrapping is 16 bytes and every wrapping is a multiple of 8.
  if (wrapped.length < 16 || wrapped.length % 8 !== 0) return null;
  try {
    const d = createDecipheriv(cipherFor(kek), kek, AIV);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch {
    return null;
  }
}
