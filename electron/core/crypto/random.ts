/** Randomness: node:crypto's CSPRNG only (never Math.random). */
import { randomBytes as nodeRandomBytes, randomFillSync, randomUUID } from 'node:crypto';

// Small requests (IVs, ids) are served from a pool refilled 4 KiB at a time: one call into the
// CSPRNG per few hundred IVs instead of one each. Bytes are copied out and never handed twice.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

export function randomBytes(n: number): Buffer {
  if (n > 64) return nodeRandomBytes(n);
  if (poolOffset + n > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** A lower-case RFC 4122 v4 UUID, the cloud's key-id shape. */
export function newUuid(): string {
  return randomUUID();
}

export function randomHex(bytes: number): string {
  return nodeRandomBytes(bytes).toString('hex');
}
