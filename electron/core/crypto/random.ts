/** Randomness: node:crypto's CSPRNG only (never Math.random). */
import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';

export function randomBytes(n: number): Buffer {
  return nodeRandomBytes(n);
}

/** A lower-case RFC 4122 v4 UUID, the cloud's key-id shape. */
export function newUuid(): string {
  return randomUUID();
}

export function randomHex(bytes: number): string {
  return nodeRandomBytes(bytes).toString('hex');
}
