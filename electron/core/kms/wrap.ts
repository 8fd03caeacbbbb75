/**
 * Wrapping under a CMK, written once for every service that protects something with one (KMS
 * ciphertexts and data keys, CSMS secret values, KPS hosted private keys, envelope files): seal
 * under the key's current version, open under the version the wrapped blob names, and one rule
 * for "may this key wrap?". A refusal carries a typed reason; each service maps reasons to its
 * own codes (`Refusals`), so the rule cannot drift apart between services again.
 */
import type { SealAad, Sealed } from '../crypto/aead.js';
import type { KmsContext } from './context.js';
import { CMK_TABLE, currentVersion, getKey, handleFor, stateRefusal, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { refusal, type Refusals, type WrapRefusal } from './refusals.js';

/** Where a key is named: by id, or (KPS's key_protection) by alias. */
export type KeyRef = { key_id: string } | { key_alias: string };

/**
 * The key, or undefined; through getKey for an id, so a grantee caller's grant is checked here
 * too and no service reads the key table on its own.
 */
export function findKey(ctx: KmsContext, ref: KeyRef): CmkRecord | undefined {
  if ('key_alias' in ref) {
    const found = ctx.store.list<CmkRecord>(CMK_TABLE).find((k) => k.key_alias === ref.key_alias);
    return found && getKey(ctx, found.key_id);
  }
  return ctx.store.read<CmkRecord>(CMK_TABLE, ref.key_id) && getKey(ctx, ref.key_id);
}

/** The one rule a wrapping key meets: enabled, for ENCRYPT_DECRYPT, of a spec that seals. */
function wrappingRefusal(key: CmkRecord): { reason: WrapRefusal; why: string } | null {
  const state = stateRefusal(key);
  if (state) return state;
  if (key.key_usage !== 'ENCRYPT_DECRYPT') return { reason: 'wrong-usage', why: `has key_usage ${key.key_usage}, not ENCRYPT_DECRYPT` };
  if (!KEY_SPEC_TABLE[key.key_spec].encryption.includes('SYMMETRIC_DEFAULT'))
    return { reason: 'wrong-spec', why: `is ${key.key_spec}; wrapping needs a symmetric key (AES_256 or SM4)` };
  return null;
}

/**
 * Precondition of every wrap and unwrap under a CMK: the key exists (`not-found`), is enabled
 * (`disabled`, `pending-deletion`, `not-active`), is for ENCRYPT_DECRYPT (`wrong-usage`) and of a
 * spec that seals (`wrong-spec`).
 */
export function requireWrappingKey(ctx: KmsContext, ref: KeyRef | CmkRecord, codes: Refusals): CmkRecord {
  const key = 'versions' in ref ? ref : findKey(ctx, ref);
  if (!key) throw refusal(codes, 'not-found', `The key ${'key_id' in ref ? ref.key_id : ref.key_alias} does not exist.`);
  const refused = wrappingRefusal(key);
  if (refused) throw refusal(codes, refused.reason, `The key ${key.key_id} ${refused.why}.`);
  return key;
}

/** A blob wrapped under a CMK version: which key and version, and the GCM output. */
export interface CmkWrapped extends Sealed {
  keyId: string;
  keyVersion: number;
}

/** What the AAD of a wrap may bind: the key, its version and the IV the HSM drew. */
export type WrapAad = Buffer | ((at: { keyId: string; keyVersion: number; iv: Buffer }) => Buffer);

/** Seals `plaintext` under the current version of a key that passed `requireWrappingKey`. */
export function wrapUnderCmk(ctx: KmsContext, key: CmkRecord, plaintext: Buffer, aad: WrapAad): CmkWrapped {
  const version = currentVersion(key);
  const at = { keyId: key.key_id, keyVersion: version.version };
  const sealAad: SealAad = typeof aad === 'function' ? (iv) => aad({ ...at, iv }) : aad;
  return { ...at, ...ctx.hsm.seal(handleFor(ctx, version.material), plaintext, sealAad) };
}

/**
 * Opens a blob under the version it names, of a key that passed `requireWrappingKey`
 * (`missing-version`, `does-not-authenticate`). `aad` is the same bytes the wrap bound; `what`
 * names the blob in the refusal's message ("The private key of 'web'").
 */
export function unwrapUnderCmk(ctx: KmsContext, key: CmkRecord, wrapped: CmkWrapped, aad: Buffer, codes: Refusals, what: string): Buffer {
  const version = key.versions.find((v) => v.version === wrapped.keyVersion);
  if (!version) throw refusal(codes, 'missing-version', `${what} names version ${wrapped.keyVersion} of key ${key.key_id}, which the key does not have.`);
  const plain = ctx.hsm.open(handleFor(ctx, version.material), wrapped, aad);
  if (!plain)
    throw refusal(
      codes,
      'does-not-authenticate',
      `${what} does not authenticate under version ${wrapped.keyVersion} of key ${key.key_id} (altered, or bound to something else).`,
    );
  return plain;
}
