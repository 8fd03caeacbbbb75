/**
 * Rotation: a new version of an AES_256 key's material. Ciphertexts name their version, so
 * the new version encrypts while old ones keep decrypting. Automatic rotation is due an
 * interval after it was enabled or after the last rotation; it runs when the vault opens.
 * A key in a PKCS#11 key store rotates on demand only (a new object in its token): automatic
 * rotation is refused for it, since a due rotation runs while the vault opens, and a token absent
 * then would make opening the vault fail.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { networkFirst, type Handlers } from '../../../shared/operations/index.js';
import type { WrappedKey } from '../hsm/backend.js';
import type { rotationOperations } from '../../../shared/operations/kms.js';
import type { KmsContext } from './context.js';
import { CMK_TABLE, getKey, requireNotDefault, requireNotPendingDeletion, requireUsable, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { discardTokenMaterial, generateIn, OWN_STORE } from './keystores.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

export const DEFAULT_ROTATION_DAYS = 365;
const DAY_MS = 86_400_000;

/** Precondition: only custom, KMS-generated keys of a rotatable spec rotate. */
function requireRotatable(key: CmkRecord): void {
  requireNotDefault(key, 'rotated');
  if (key.origin === 'external') throw new KeyholdError(KmsErrors.ExternalNoRotation, `The key ${key.key_id} has imported material and cannot rotate.`, 400);
  if (!KEY_SPEC_TABLE[key.key_spec].rotatable)
    throw new KeyholdError(KmsErrors.Invalid, `Invalid key_id: ${key.key_spec} keys cannot rotate.`, 400, 'key.not-rotatable');
}

function newMaterial(ctx: KmsContext, key: CmkRecord): Promise<WrappedKey> {
  return generateIn(ctx, key.keystore_id ?? OWN_STORE, KEY_SPEC_TABLE[key.key_spec].hsmKind);
}

/**
 * Adds a new version of the key's material and returns the updated record (already stored).
 * `generated` is material made beforehand (rotate-on-demand generates before its transaction).
 */
export async function rotateKey(ctx: KmsContext, key: CmkRecord, generated?: WrappedKey): Promise<CmkRecord> {
  const now = ctx.now();
  const next = Math.max(0, ...key.versions.map((v) => v.version)) + 1;
  const material = generated ?? (await newMaterial(ctx, key));
  const rotated: CmkRecord = {
    ...key,
    versions: [...key.versions, { version: next, material, created: now }],
    last_rotation: now,
    rotation_anchor: now,
    number_of_rotations: (key.number_of_rotations ?? 0) + 1,
  };
  ctx.store.put(CMK_TABLE, key.key_id, rotated);
  return rotated;
}

/** When the next automatic rotation is due, or null when rotation is off. */
export function rotationDue(key: CmkRecord): number | null {
  if (!key.rotation_enabled || key.rotation_anchor === undefined) return null;
  return key.rotation_anchor + (key.rotation_interval ?? DEFAULT_ROTATION_DAYS) * DAY_MS;
}

export const rotationHandlers: Handlers<typeof rotationOperations, KmsContext> = {
  enableKeyRotation(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireRotatable(key);
    requireUsable(key);
    if (key.keystore_id !== undefined) {
      throw new KeyholdError(
        LocalErrors.Unsupported,
        `Automatic rotation is not supported for the key ${key.key_id} in PKCS#11 key store ${key.keystore_id}: due rotations run while the vault opens, when its token may be absent. Use rotate-on-demand.`,
        400,
      );
    }
    if (!key.rotation_enabled) {
      ctx.store.put(CMK_TABLE, key.key_id, {
        ...key,
        rotation_enabled: true,
        rotation_interval: key.rotation_interval ?? DEFAULT_ROTATION_DAYS,
        rotation_anchor: ctx.now(),
      });
    }
    return {};
  },

  disableKeyRotation(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireRotatable(key);
    requireNotPendingDeletion(key);
    if (!key.rotation_enabled) throw new KeyholdError(KmsErrors.RotationNotEnabled, `Rotation is not enabled for the key ${key.key_id}.`, 400);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, rotation_enabled: false });
    return {};
  },

  updateKeyRotationInterval(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireRotatable(key);
    requireNotPendingDeletion(key);
    if (!key.rotation_enabled) throw new KeyholdError(KmsErrors.RotationNotEnabled, `Rotation is not enabled for the key ${key.key_id}.`, 400);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, rotation_interval: input.rotation_interval });
    return {};
  },

  getKeyRotationStatus(ctx, input) {
    const key = getKey(ctx, input.key_id);
    return {
      key_rotation_enabled: key.rotation_enabled,
      rotation_interval: key.rotation_interval ?? DEFAULT_ROTATION_DAYS,
      last_rotation_time: key.last_rotation ? String(key.last_rotation) : '',
      number_of_rotations: key.number_of_rotations ?? 0,
    };
  },

  /**
   * The new material (an object in the key's token, for a key store) is generated before the
   * write transaction; the commit re-reads the key and re-checks it. A refused commit destroys a
   * new token object, so it leaves neither a version nor an orphan object.
   */
  rotateOnDemand: networkFirst({
    async network(ctx, input) {
      const key = getKey(ctx, input.key_id);
      requireRotatable(key);
      requireUsable(key);
      return newMaterial(ctx, key);
    },
    async commit(ctx, input, material) {
      try {
        const key = getKey(ctx, input.key_id);
        requireRotatable(key);
        requireUsable(key);
        await rotateKey(ctx, key, material);
        return { key_id: key.key_id };
      } catch (e) {
        discardTokenMaterial(ctx, material);
        throw e;
      }
    },
  }),
};
