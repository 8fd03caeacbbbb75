/**
 * create/list/show/enable/disable/delete-key-store. Creating one loads the module (after its
 * path check), finds the token by label and logs in with the PIN before anything is written, so
 * a store that exists has worked at least once; its token's serial number is kept, so another
 * token given the same label later is not taken for it.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { KeyStoreInfo, keyStoreOperations } from '../../../shared/operations/kms.js';
import { newUuid } from '../crypto/random.js';
import { Pkcs11Token } from '../hsm/pkcs11/token.js';
import type { KmsContext } from './context.js';
import { CMK_TABLE, type CmkRecord } from './keys.js';
import { connections, getKeyStore, KEYSTORE_TABLE, tokenConfig, type KeyStoreRecord } from './keystores.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** What a store shows: its record without the PIN, and whether its token answers now. */
function info(ctx: KmsContext, r: KeyStoreRecord): KeyStoreInfo {
  const shown: KeyStoreInfo = {
    keystore_id: r.keystore_id,
    domain_id: ctx.domain.domain_id,
    keystore_alias: r.keystore_alias,
    keystore_type: r.keystore_type,
    pkcs11_module: r.pkcs11_module,
    token_label: r.token_label,
    token_serial: r.token_serial,
    keystore_state: r.keystore_state,
    availability: 'disabled',
    create_time: String(r.create_time),
  };
  if (r.keystore_state !== 'ENABLED') return shown;
  const probe = connections(ctx).probe(tokenConfig(r));
  if (probe.available) return { ...shown, availability: 'available' };
  const e = probe.error instanceof KeyholdError ? probe.error : new KeyholdError(LocalErrors.KeyStoreUnavailable, 'The token does not answer.', 503);
  return { ...shown, availability: 'unavailable', unavailable_reason: { error_code: e.code, error_msg: e.message } };
}

function setState(ctx: KmsContext, keystoreId: string, state: 'ENABLED' | 'DISABLED'): void {
  const r = getKeyStore(ctx, keystoreId);
  if (r.keystore_state === state)
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid keystore_id: the key store ${keystoreId} is already ${state.toLowerCase()}.`,
      400,
      'keystore.same-state',
    );
  ctx.store.put(KEYSTORE_TABLE, keystoreId, { ...r, keystore_state: state });
  if (state === 'DISABLED') connections(ctx).disconnect(keystoreId);
}

export const keyStoreHandlers: Handlers<typeof keyStoreOperations, KmsContext> = {
  createKeyStore(ctx, input) {
    const stores = ctx.store.list<KeyStoreRecord>(KEYSTORE_TABLE);
    if (stores.some((s) => s.keystore_alias === input.keystore_alias)) {
      throw new KeyholdError(LocalErrors.KeyStoreAliasExists, `The key store alias ${input.keystore_alias} already exists.`, 400);
    }
    const keystoreId = newUuid();
    // Opened once outside the session's connections: the serial it reports is what the record keeps.
    const token = Pkcs11Token.open({ storeId: keystoreId, module: input.pkcs11_module, tokenLabel: input.token_label, pin: input.pin }, { checkPin: true });
    const serial = token.serial;
    token.close();
    // One store per token: besides the confusion, a token this process is logged in to already
    // does not check the PIN again (CKR_USER_ALREADY_LOGGED_IN), so a second store could keep a wrong one.
    if (stores.some((s) => s.token_label === input.token_label && s.token_serial === serial)) {
      throw new KeyholdError(LocalErrors.KeyStoreAliasExists, `The token "${input.token_label}" (serial ${serial}) already backs a key store.`, 400);
    }
    const record: KeyStoreRecord = {
      keystore_id: keystoreId,
      keystore_alias: input.keystore_alias,
      keystore_type: input.keystore_type,
      pkcs11_module: input.pkcs11_module,
      token_label: input.token_label,
      token_serial: serial,
      pin: input.pin,
      keystore_state: 'ENABLED',
      create_time: ctx.now(),
    };
    ctx.store.put(KEYSTORE_TABLE, keystoreId, record);
    return { keystore: info(ctx, record) };
  },

  listKeyStores(ctx) {
    const stores = ctx.store.list<KeyStoreRecord>(KEYSTORE_TABLE).sort((a, b) => a.create_time - b.create_time || a.keystore_id.localeCompare(b.keystore_id));
    return { keystores: stores.map((r) => info(ctx, r)), total: stores.length };
  },

  showKeyStore(ctx, input) {
    return { keystore: info(ctx, getKeyStore(ctx, input.keystore_id)) };
  },

  enableKeyStore(ctx, input) {
    setState(ctx, input.keystore_id, 'ENABLED');
    return { keystore: { keystore_id: input.keystore_id, keystore_state: 'ENABLED' } };
  },

  disableKeyStore(ctx, input) {
    setState(ctx, input.keystore_id, 'DISABLED');
    return { keystore: { keystore_id: input.keystore_id, keystore_state: 'DISABLED' } };
  },

  deleteKeyStore(ctx, input) {
    getKeyStore(ctx, input.keystore_id);
    const held = ctx.store.list<CmkRecord>(CMK_TABLE).filter((k) => k.keystore_id === input.keystore_id);
    if (held.length > 0) {
      throw new KeyholdError(
        LocalErrors.KeyStoreInUse,
        `The key store ${input.keystore_id} still holds ${held.length} CMK(s) (${held.map((k) => k.key_id).join(', ')}); delete them first.`,
        400,
      );
    }
    ctx.store.delete(KEYSTORE_TABLE, input.keystore_id);
    connections(ctx).disconnect(input.keystore_id);
    return { keystore: { keystore_id: input.keystore_id } };
  },
};
