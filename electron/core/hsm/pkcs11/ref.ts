/**
 * What the vault stores for a CMK version kept in a token: not material, a reference naming the
 * key store, the kind and the object's CKA_ID (`P11K1.<keystore_id>.<kind>.<id hex>`). It takes
 * the place of a wrapped blob in a CMK record, so every path that holds a `WrappedKey` (data
 * keys, envelopes, secrets) carries it unchanged; only the lookup of its handle differs.
 */
import type { HsmKeyKind, WrappedKey } from '../backend.js';

const PREFIX = 'P11K1';
const KINDS: readonly HsmKeyKind[] = [
  'aes-256',
  'hmac-sha256',
  'hmac-sha384',
  'hmac-sha512',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ec-p256',
  'ec-p384',
  'ec-secp256k1',
];

export interface TokenKeyRef {
  storeId: string;
  kind: HsmKeyKind;
  /** CKA_ID of the object (and, for a key pair, of both halves). */
  objectId: Buffer;
}

export function formatTokenRef(ref: TokenKeyRef): WrappedKey {
  return `${PREFIX}.${ref.storeId}.${ref.kind}.${ref.objectId.toString('hex')}` as WrappedKey;
}

export function isTokenRef(material: WrappedKey | string): boolean {
  return material.startsWith(`${PREFIX}.`);
}

/** Null for anything that is not a well-formed token reference. */
export function parseTokenRef(material: WrappedKey | string): TokenKeyRef | null {
  const parts = material.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return null;
  const [, storeId, kind, hex] = parts as [string, string, string, string];
  if (!/^[0-9a-z-]{1,64}$/.test(storeId) || !KINDS.includes(kind as HsmKeyKind) || !/^(?:[0-9a-f]{2}){1,64}$/.test(hex)) return null;
  return { storeId, kind: kind as HsmKeyKind, objectId: Buffer.from(hex, 'hex') };
}
