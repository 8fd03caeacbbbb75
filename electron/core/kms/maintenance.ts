/**
 * KMS work that falls due with time rather than with a request: keys whose scheduled deletion
 * date has passed are destroyed, imported material past its expiry is removed (the key returns
 * to pending import), due rotations run, and expired import tokens are dropped. The session
 * runs each step as its own audited system write when the vault opens.
 */
import type { KmsContext } from './context.js';
import { GRANT_TABLE, grantsOf } from './grants.js';
import { TOKEN_TABLE, type TokenRecord } from './import-token.js';
import { CMK_TABLE, STATE, type CmkRecord } from './keys.js';
import { rotateKey, rotationDue } from './rotation.js';

/**
 * Each step re-reads its key inside its own transaction and re-checks that the work is still
 * due, so two processes opening the vault at once do not, say, rotate a key twice.
 */
export interface MaintenanceStep {
  /** The audit log's operation name for this step. */
  operation: string;
  key_id: string | null;
  apply(ctx: KmsContext): Promise<void>;
}

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

function destroy(keyId: string): MaintenanceStep {
  return {
    operation: 'kms destroy-key',
    key_id: keyId,
    async apply(ctx) {
      if (!deletionDue(ctx.store.read<CmkRecord>(CMK_TABLE, keyId), ctx.now())) return;
      for (const g of grantsOf(ctx, keyId)) ctx.store.delete(GRANT_TABLE, g.grant_id);
      for (const t of ctx.store.list<TokenRecord>(TOKEN_TABLE)) if (t.key_id === keyId) ctx.store.delete(TOKEN_TABLE, t.token_id);
      ctx.store.delete(CMK_TABLE, keyId);
    },
  };
}

function expireMaterial(keyId: string): MaintenanceStep {
  return {
    operation: 'kms expire-key-material',
    key_id: keyId,
    async apply(ctx) {
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
      if (!key || !materialExpired(key, ctx.now())) return;
      // A key pending deletion stays so; any other key waits for its material again.
      const state = key.key_state === STATE.pendingDeletion ? key.key_state : STATE.pendingImport;
      ctx.store.put(CMK_TABLE, keyId, { ...key, key_state: state, versions: [], material_expiration: null });
    },
  };
}

function rotate(keyId: string): MaintenanceStep {
  return {
    operation: 'kms rotate-key',
    key_id: keyId,
    async apply(ctx) {
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, keyId);
      if (key && rotationIsDue(key, ctx.now())) await rotateKey(ctx, key);
    },
  };
}

const dropExpiredTokens: MaintenanceStep = {
  operation: 'kms expire-import-tokens',
  key_id: null,
  async apply(ctx) {
    const now = ctx.now();
    for (const t of ctx.store.list<TokenRecord>(TOKEN_TABLE)) if (t.expires <= now) ctx.store.delete(TOKEN_TABLE, t.token_id);
  },
};

/** The steps due at `ctx.now()`; empty when nothing is due (the usual case: no writes). */
export function dueMaintenance(ctx: KmsContext): MaintenanceStep[] {
  const now = ctx.now();
  const steps: MaintenanceStep[] = [];
  for (const key of ctx.store.list<CmkRecord>(CMK_TABLE)) {
    if (deletionDue(key, now)) {
      steps.push(destroy(key.key_id));
      continue;
    }
    if (materialExpired(key, now)) steps.push(expireMaterial(key.key_id));
    if (rotationIsDue(key, now)) steps.push(rotate(key.key_id));
  }
  if (ctx.store.list<TokenRecord>(TOKEN_TABLE).some((t) => t.expires <= now)) steps.push(dropExpiredTokens);
  return steps;
}
