/**
 * KMS work that falls due with time rather than with a request: keys whose scheduled deletion
 * date has passed are destroyed, imported material past its expiry is removed (the key returns
 * to pending import), due rotations run, and expired import tokens are dropped. The session
 * runs each step as its own audited system write when the vault opens and every minute.
 *
 * What is due comes from the due index (due-index.ts): only keys whose time has come are opened,
 * each on its own, so one key that does not open is reported and the others are still served.
 * A vault from before the index (or whose index does not open) gets it built by a first task.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { DuePlan, DueTask } from '../../../shared/operations/index.js';
import type { KmsContext } from './context.js';
import { readKmsDue, rebuildKmsDue, scanKmsDue, type KmsDueIndex } from './due-index.js';
import { GRANT_TABLE, grantsOf } from './grants.js';
import { TOKEN_TABLE, type TokenRecord } from './import-token.js';
import { CMK_TABLE, STATE, type CmkRecord } from './keys.js';
import { destroyTokenMaterial } from './keystores.js';
import { rotateKey, rotationDue } from './rotation.js';

/**
 * Each task re-reads its key inside its own transaction and re-checks that the work is still
 * due, so two processes opening the vault at once do not, say, rotate a key twice.
 */
type KmsTask = DueTask<KmsContext>;

function deletionDue(key: CmkRecord | undefined, now: number): boolean {
  return key?.key_state === STATE.pendingDeletion && key.scheduled_deletion_date !== null && key.scheduled_deletion_date <= now;
}

function materialExpired(key: CmkRecord | undefined, now: number): boolean {
  return !!key?.material_expiration && key.material_expiration <= now && key.versions.length > 0;
}

function rotationIsDue(key: CmkRecord | undefined, now: number): boolean {
  const due = key ? rotationDue(key) : null;
  return key?.key_state === STATE.enabled && due !== null && due <= now;
}

function destroy(keyId: string): KmsTask {
  return {
    operation: 'kms destroy-key',
    key_id: keyId,
    fields: {},
    async run(ctx) {
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
      if (!key || !deletionDue(key, ctx.now())) return;
      // Inside the task's transaction: a failed commit leaves the record, and the retry finds no object.
      destroyTokenMaterial(
        ctx,
        key.versions.map((v) => v.material),
      );
      for (const g of grantsOf(ctx, keyId)) ctx.store.delete(GRANT_TABLE, g.grant_id);
      for (const t of ctx.store.list<TokenRecord>(TOKEN_TABLE)) if (t.key_id === keyId) ctx.store.delete(TOKEN_TABLE, t.token_id);
      ctx.store.delete(CMK_TABLE, keyId);
    },
  };
}

function expireMaterial(keyId: string): KmsTask {
  return {
    operation: 'kms expire-key-material',
    key_id: keyId,
    fields: {},
    async run(ctx) {
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
      if (!key || !materialExpired(key, ctx.now())) return;
      // A key pending deletion stays so; any other key waits for its material again.
      const state = key.key_state === STATE.pendingDeletion ? key.key_state : STATE.pendingImport;
      ctx.store.put(CMK_TABLE, keyId, { ...key, key_state: state, versions: [], material_expiration: null });
    },
  };
}

function rotate(keyId: string): KmsTask {
  return {
    operation: 'kms rotate-key',
    key_id: keyId,
    fields: {},
    async run(ctx) {
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
      if (key && rotationIsDue(key, ctx.now())) await rotateKey(ctx, key);
    },
  };
}

const dropExpiredTokens: KmsTask = {
  operation: 'kms expire-import-tokens',
  key_id: null,
  fields: {},
  async run(ctx) {
    // Deleting needs only the ids, so no token is opened.
    const now = ctx.now();
    for (const [id, expires] of Object.entries(readKmsDue(ctx.store)?.tokens ?? {})) if (expires <= now) ctx.store.delete(TOKEN_TABLE, id);
  },
};

/** Builds the due index of a vault that has none (or whose index does not open). */
const buildIndex: KmsTask = {
  operation: 'kms index due work',
  key_id: null,
  fields: {},
  run(ctx) {
    rebuildKmsDue(ctx.store);
  },
};

/**
 * What is due at `ctx.now()` by the due index: empty when nothing is due, the usual case, and
 * then no key is opened at all. Without an index, every key is read once to find what is due,
 * and the first task writes the index.
 */
export function kmsDueTasks(ctx: KmsContext): DuePlan<KmsContext> {
  const stored = readKmsDue(ctx.store);
  if (stored) return dueByIndex(ctx, stored);
  const { index, damaged } = scanKmsDue(ctx.store);
  const plan = dueByIndex(ctx, index);
  return { tasks: [buildIndex, ...plan.tasks], damaged: [...damaged, ...plan.damaged] };
}

function dueByIndex(ctx: KmsContext, index: KmsDueIndex): DuePlan<KmsContext> {
  const now = ctx.now();
  const plan: DuePlan<KmsContext> = { tasks: [], damaged: [] };
  for (const [keyId, at] of Object.entries(index.keys)) {
    if (at > now) continue;
    let key: CmkRecord | undefined;
    try {
      key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
    } catch (e) {
      if (!(e instanceof KeyholdError)) throw e;
      plan.damaged.push({ table: CMK_TABLE, id: keyId, code: e.code });
      continue;
    }
    if (deletionDue(key, now)) {
      plan.tasks.push(destroy(keyId));
      continue;
    }
    if (materialExpired(key, now)) plan.tasks.push(expireMaterial(keyId));
    if (rotationIsDue(key, now)) plan.tasks.push(rotate(keyId));
  }
  if (Object.values(index.tokens).some((expires) => expires <= now)) plan.tasks.push(dropExpiredTokens);
  return plan;
}
