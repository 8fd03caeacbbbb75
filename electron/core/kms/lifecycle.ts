/** Key lifecycle: create, describe, list, enable/disable, scheduled deletion, alias, description, quotas. */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { LIMITS } from '../../../shared/constants.js';
import { networkFirst, type Handlers } from '../../../shared/operations/index.js';
import type { lifecycleOperations, Quotas } from '../../../shared/operations/kms.js';
import type { KmsContext } from './context.js';
import { grantsOf } from './grants.js';
import {
  CMK_TABLE,
  getKey,
  keyQuota,
  newKey,
  requireNotDefault,
  requireNotPendingDeletion,
  requireRoomFor,
  SETTINGS_TABLE,
  STATE,
  toKeyDetails,
  type CmkRecord,
  type KmsSettings,
} from './keys.js';
import { KEY_SPEC_TABLE, usageFor } from './key-specs.js';
import { discardTokenMaterial, generateIn, OWN_STORE } from './keystores.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

const DAY_MS = 86_400_000;

function quotas(ctx: KmsContext): Quotas {
  const keys = ctx.store.list<CmkRecord>(CMK_TABLE);
  const grantsUsed = Math.max(0, ...keys.map((k) => grantsOf(ctx, k.key_id).length));
  return {
    quotas: {
      resources: [
        { type: 'CMK', used: keys.filter((k) => !k.default_key).length, quota: keyQuota(ctx) },
        { type: 'grant_per_CMK', used: grantsUsed, quota: LIMITS.grantsPerKey },
      ],
    },
  };
}

type CreateKeyInput = Parameters<Handlers<typeof lifecycleOperations, KmsContext>['createKey']>[1];

function newKeyFields(input: CreateKeyInput) {
  return {
    keystore_id: input.keystore_id ?? OWN_STORE,
    key_alias: input.key_alias,
    key_spec: input.key_spec,
    key_usage: usageFor(input.key_spec, input.key_usage),
    key_description: input.key_description,
    origin: input.origin,
  };
}

export const lifecycleHandlers: Handlers<typeof lifecycleOperations, KmsContext> = {
  /**
   * Key generation (seconds for RSA-4096, a token's own time in a key store) runs before the
   * write transaction, so no writer waits for it; the commit re-checks alias and quota. A token
   * object whose commit is refused is destroyed again, so a failure leaves neither a record
   * nor an orphan object.
   */
  createKey: networkFirst({
    async network(ctx, input) {
      const fields = newKeyFields(input);
      if (fields.keystore_id !== OWN_STORE && input.origin === 'external') {
        throw new KeyholdError(
          LocalErrors.Unsupported,
          'Invalid origin: bring-your-own-key material cannot go into a PKCS#11 key store yet (it needs an import wrapping key generated in the token and C_UnwrapKey with CKM_RSA_PKCS_OAEP there, which Keyhold does not do). Create the key with origin kms, or in store "0".',
          400,
        );
      }
      requireRoomFor(ctx, fields);
      return input.origin === 'external' ? undefined : generateIn(ctx, fields.keystore_id, KEY_SPEC_TABLE[input.key_spec].hsmKind);
    },
    async commit(ctx, input, material) {
      try {
        const key = await newKey(ctx, newKeyFields(input), material);
        return { key_info: { key_id: key.key_id, domain_id: ctx.domain.domain_id } };
      } catch (e) {
        if (material) discardTokenMaterial(ctx, material);
        throw e;
      }
    },
  }),

  describeKey(ctx, input) {
    return { key_info: toKeyDetails(getKey(ctx, input.key_id), ctx) };
  },

  listKeys(ctx, input) {
    const all = ctx.store
      .list<CmkRecord>(CMK_TABLE)
      .filter((k) => input.key_spec === 'ALL' || k.key_spec === input.key_spec)
      .filter((k) => !input.key_state || k.key_state === input.key_state)
      .sort((a, b) => a.creation_date - b.creation_date || a.key_id.localeCompare(b.key_id));
    const offset = Number(input.marker ?? '0');
    const limit = Number(input.limit ?? '1000');
    const page = all.slice(offset, offset + limit);
    const truncated = offset + page.length < all.length;
    return {
      keys: page.map((k) => k.key_id),
      key_details: page.map((k) => toKeyDetails(k, ctx)),
      next_marker: truncated ? String(offset + page.length) : '',
      truncated: truncated ? 'true' : 'false',
      total: all.length,
    };
  },

  enableKey(ctx, input) {
    const key = getKey(ctx, input.key_id);
    if (key.key_state !== STATE.disabled) throw new KeyholdError(KmsErrors.NotDisabled, `The key ${key.key_id} is not disabled (state ${key.key_state}).`, 400);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: STATE.enabled });
    return { key_info: { key_id: key.key_id, key_state: STATE.enabled } };
  },

  disableKey(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 'disabled');
    if (key.key_state !== STATE.enabled) throw new KeyholdError(KmsErrors.NotEnabled, `The key ${key.key_id} is not enabled (state ${key.key_state}).`, 400);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: STATE.disabled });
    return { key_info: { key_id: key.key_id, key_state: STATE.disabled } };
  },

  scheduleKeyDeletion(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 'deleted');
    if (key.key_state === STATE.pendingDeletion)
      throw new KeyholdError(KmsErrors.AlreadyPendingDeletion, `The key ${key.key_id} is already pending deletion.`, 400);
    const date = ctx.now() + Number(input.pending_days) * DAY_MS;
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: STATE.pendingDeletion, scheduled_deletion_date: date });
    return { key_id: key.key_id, key_state: STATE.pendingDeletion };
  },

  cancelKeyDeletion(ctx, input) {
    const key = getKey(ctx, input.key_id);
    if (key.key_state !== STATE.pendingDeletion)
      throw new KeyholdError(KmsErrors.NotPendingDeletion, `The key ${key.key_id} is not pending deletion (state ${key.key_state}).`, 400);
    // The cloud returns a cancelled key Disabled; a key without material cannot be enabled, so it
    // goes back to pending import instead.
    const state = key.versions.length ? STATE.disabled : STATE.pendingImport;
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: state, scheduled_deletion_date: null });
    return { key_id: key.key_id, key_state: state };
  },

  updateKeyAlias(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 'renamed');
    requireNotPendingDeletion(key);
    if (ctx.store.list<CmkRecord>(CMK_TABLE).some((k) => k.key_alias === input.key_alias && k.key_id !== key.key_id)) {
      throw new KeyholdError(KmsErrors.AliasExists, `The alias ${input.key_alias} already exists.`, 400);
    }
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_alias: input.key_alias });
    return { key_info: { key_id: key.key_id, key_alias: input.key_alias } };
  },

  updateKeyDescription(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 're-described');
    requireNotPendingDeletion(key);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_description: input.key_description });
    return { key_info: { key_id: key.key_id, key_description: input.key_description } };
  },

  showUserQuotas(ctx) {
    return quotas(ctx);
  },

  updateUserQuotas(ctx, input) {
    const settings: KmsSettings = { cmk_quota: Number(input.cmk_quota) };
    ctx.store.put(SETTINGS_TABLE, 'settings', settings);
    return quotas(ctx);
  },

  showUserInstances(ctx) {
    return { instance_num: ctx.store.list<CmkRecord>(CMK_TABLE).filter((k) => !k.default_key).length };
  },
};
