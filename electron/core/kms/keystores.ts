/**
 * Key-store records and the way to a CMK's token. A PKCS#11 key store's record (sealed in the
 * vault like every record, PIN included) names its module, token label and serial; CMK versions
 * in it are token references (hsm/pkcs11/ref.ts), which reach their token only through here, so
 * a disabled or deleted store refuses every use of its keys.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { HsmKeyKind, KeyHandle, WrappedKey } from '../hsm/backend.js';
import type { KeyStoreConnections } from '../hsm/key-stores.js';
import { parseTokenRef } from '../hsm/pkcs11/ref.js';
import type { Pkcs11Token, TokenConfig } from '../hsm/pkcs11/token.js';
import type { KmsContext } from './context.js';

export const KEYSTORE_TABLE = 'kms_keystores';
/** keystore_id of Keyhold's own store (the software HSM), as the cloud names its default store. */
export const OWN_STORE = '0';

export interface KeyStoreRecord {
  keystore_id: string;
  keystore_alias: string;
  keystore_type: 'PKCS11';
  pkcs11_module: string;
  token_label: string;
  token_serial: string;
  pin: string;
  keystore_state: 'ENABLED' | 'DISABLED';
  create_time: number;
}

export function tokenConfig(r: KeyStoreRecord): TokenConfig {
  return { storeId: r.keystore_id, module: r.pkcs11_module, tokenLabel: r.token_label, pin: r.pin, tokenSerial: r.token_serial };
}

export function connections(ctx: KmsContext): KeyStoreConnections {
  if (!ctx.keyStores) throw new KeyholdError(LocalErrors.Unsupported, 'PKCS#11 key stores are not available in this context.', 400);
  return ctx.keyStores;
}

export function getKeyStore(ctx: KmsContext, keystoreId: string): KeyStoreRecord {
  const r = ctx.store.read<KeyStoreRecord>(KEYSTORE_TABLE, keystoreId);
  if (!r) throw new KeyholdError(LocalErrors.KeyStoreNotFound, `The key store ${keystoreId} does not exist.`, 404);
  return r;
}

/** Precondition: a store whose keys are used (or made) is enabled; its token is then opened. */
export function tokenFor(ctx: KmsContext, keystoreId: string): Pkcs11Token {
  const r = getKeyStore(ctx, keystoreId);
  if (r.keystore_state !== 'ENABLED')
    throw new KeyholdError(LocalErrors.KeyStoreDisabled, `The key store ${keystoreId} (${r.keystore_alias}) is disabled.`, 400);
  return connections(ctx).connect(tokenConfig(r));
}

/** The store a CMK version's material lives in: "0" for a wrapped blob, else the token's store. */
export function storeOfMaterial(material: WrappedKey): string {
  return parseTokenRef(material)?.storeId ?? OWN_STORE;
}

/** The handle of a CMK version kept in a token, checked against its store on every use. */
export function tokenKeyHandle(ctx: KmsContext, material: WrappedKey): KeyHandle {
  return tokenFor(ctx, storeOfMaterial(material)).unwrap(material);
}

/**
 * Destroys the token objects of a deleted CMK's versions (software blobs go with the record).
 * A disabled store is still reached for this: destroying is not using. A token that does not
 * answer fails the deletion, which is retried later, so material is never left behind silently.
 */
export function destroyTokenMaterial(ctx: KmsContext, materials: readonly WrappedKey[]): void {
  for (const material of materials) {
    const storeId = parseTokenRef(material)?.storeId;
    if (!storeId) continue;
    connections(ctx)
      .connect(tokenConfig(getKeyStore(ctx, storeId)))
      .destroy(material);
  }
}

/**
 * Destroys a token object made for a commit that was then refused (a software blob needs
 * nothing). The refusal is what the caller needs to see: if the token cannot be reached now,
 * the object stays (hsm.md, Limits).
 */
export function discardTokenMaterial(ctx: KmsContext, material: WrappedKey): void {
  try {
    destroyTokenMaterial(ctx, [material]);
  } catch (e) {
    if (!(e instanceof KeyholdError)) throw e;
  }
}

/** New material of `kind` in the given store: the software HSM for "0", else inside the token. */
export function generateIn(ctx: KmsContext, keystoreId: string, kind: HsmKeyKind): Promise<WrappedKey> {
  return keystoreId === OWN_STORE ? ctx.hsm.generate(kind) : tokenFor(ctx, keystoreId).generate(kind);
}
