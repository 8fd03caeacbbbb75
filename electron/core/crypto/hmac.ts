/** HMAC-SHA-256, HKDF-SHA-256 and constant-time comparison. */
import { createHash, createHmac, hkdfSync, timingSafeEqual, type BinaryLike, type KeyObject } from 'node:crypto';

export function hmacSha256(key: KeyObject | Buffer, ...parts: (string | Uint8Array)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256(data: BinaryLike): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Derives a 32-byte subkey bound to `info`, so each use of the root key gets its own key. */
export function hkdf32(ikm: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
