/**
 * Grants: stored and validated like the cloud's, and authorised as the cloud and AWS CreateGrant
 * define them (docs/server.md, "What a grantee may do"). The owner (a local caller or an owner
 * access key) manages every grant. A grantee access key may create a grant only on a key where
 * one of its own grants gives `create-grant`, and only for operations its grants there give; it
 * may retire a grant that names it as retiring principal (with or without a grant of its own)
 * or, when that grant gives `retire-grant`, one made to it. Revoking is the owner's alone (the
 * session refuses revoke-grant to grantees before it gets here).
 */
import { KeyholdError } from '../../../shared/errors.js';
import { LIMITS } from '../../../shared/constants.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { Grant, GrantList, grantOperations } from '../../../shared/operations/kms.js';
import { randomHex } from '../crypto/random.js';
import type { KmsContext } from './context.js';
import { CMK_TABLE, getKey, GRANTS_TABLE, requireNotDefault, requireNotPendingDeletion } from './keys.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

export const GRANT_TABLE = GRANTS_TABLE;

export function grantsOf(ctx: KmsContext, keyId: string): Grant[] {
  return ctx.store.list<Grant>(GRANT_TABLE).filter((g) => g.key_id === keyId);
}

function page(all: Grant[], limit: string | undefined, marker: string | undefined): GrantList {
  const sorted = [...all].sort((a, b) => Number(a.creation_date) - Number(b.creation_date) || a.grant_id.localeCompare(b.grant_id));
  const offset = Number(marker ?? '0');
  const items = sorted.slice(offset, offset + Number(limit ?? '100'));
  const truncated = offset + items.length < sorted.length;
  return { grants: items, next_marker: truncated ? String(offset + items.length) : '', truncated: truncated ? 'true' : 'false', total: sorted.length };
}

/** The principal a grant records as its issuer: the calling access key, or the vault's domain for a local caller. */
function principalOf(ctx: KmsContext): string {
  return ctx.caller?.access_key ?? ctx.domain.domain_id;
}

const isGrantee = (ctx: KmsContext): ctx is KmsContext & { caller: { access_key: string; role: 'grantee' } } => ctx.caller?.role === 'grantee';

/**
 * Precondition: what a grantee grants is within what its own grants on the key give (it got
 * here holding `create-grant` there: getKey checked that). Else KMS.0306, naming what it lacks.
 */
function requireWithinOwnGrants(ctx: KmsContext, keyId: string, operations: string[]): void {
  if (!isGrantee(ctx)) return;
  const own = new Set(
    grantsOf(ctx, keyId)
      .filter((g) => g.grantee_principal === ctx.caller.access_key)
      .flatMap((g) => g.operations),
  );
  const beyond = operations.filter((op) => !own.has(op));
  if (beyond.length) {
    throw new KeyholdError(
      KmsErrors.NoPermission,
      `Access key ${ctx.caller.access_key} cannot grant ${beyond.join(', ')} on key ${keyId}: its own grants there do not give ${beyond.length === 1 ? 'it' : 'them'}.`,
      403,
    );
  }
}

/** Precondition: the caller may retire this grant (owner, its retiring principal, or its grantee when it gives retire-grant); else KMS.0306. */
function requireMayRetire(ctx: KmsContext, grant: Grant): void {
  if (!isGrantee(ctx)) return;
  const me = ctx.caller.access_key;
  if (grant.retiring_principal === me) return;
  if (grant.grantee_principal === me && grant.operations.includes('retire-grant')) return;
  throw new KeyholdError(
    KmsErrors.NoPermission,
    `Access key ${me} may not retire grant ${grant.grant_id}: it is neither its retiring principal nor a grantee holding retire-grant.`,
    403,
  );
}

/**
 * The grant `grant_id` on key `key_id`: unknown key → KMS.0207, unknown grant → KMS.2501, on
 * another key → KMS.2502. No grant check on the key itself: a retiring principal may hold none.
 */
function findGrant(ctx: KmsContext, keyId: string, grantId: string): Grant {
  if (!ctx.store.read(CMK_TABLE, keyId)) throw new KeyholdError(KmsErrors.KeyNotFound, `The key ${keyId} does not exist.`, 404);
  const grant = ctx.store.read<Grant>(GRANT_TABLE, grantId);
  if (!grant) throw new KeyholdError(KmsErrors.GrantNotFound, `The grant ${grantId} does not exist.`, 404);
  if (grant.key_id !== keyId) throw new KeyholdError(KmsErrors.GrantKeyMismatch, `The grant ${grantId} is not a grant on key ${keyId}.`, 400);
  return grant;
}

export const grantHandlers: Handlers<typeof grantOperations, KmsContext> = {
  createGrant(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 'granted');
    requireNotPendingDeletion(key);
    const operations = [...new Set(input.operations)];
    if (operations.length === 1 && operations[0] === 'create-grant') {
      throw new KeyholdError(KmsErrors.GrantAlone, 'Invalid operations: create-grant cannot be granted alone.', 400);
    }
    requireWithinOwnGrants(ctx, key.key_id, operations);
    if (grantsOf(ctx, key.key_id).length >= LIMITS.grantsPerKey) {
      throw new KeyholdError(KmsErrors.GrantLimit, `The key ${key.key_id} already has the maximum of ${LIMITS.grantsPerKey} grants.`, 400);
    }
    const grant: Grant = {
      key_id: key.key_id,
      grant_id: randomHex(32),
      grantee_principal: input.grantee_principal,
      grantee_principal_type: input.grantee_principal_type,
      operations,
      issuing_principal: principalOf(ctx),
      creation_date: String(ctx.now()),
      name: input.name ?? input.grantee_principal,
      retiring_principal: input.retiring_principal ?? '',
    };
    ctx.store.put(GRANT_TABLE, grant.grant_id, grant);
    return { grant_id: grant.grant_id };
  },

  listGrants(ctx, input) {
    getKey(ctx, input.key_id);
    return page(grantsOf(ctx, input.key_id), input.limit, input.marker);
  },

  revokeGrant(ctx, input) {
    ctx.store.delete(GRANT_TABLE, findGrant(ctx, input.key_id, input.grant_id).grant_id);
    return {};
  },

  retireGrant(ctx, input) {
    const grant = findGrant(ctx, input.key_id, input.grant_id);
    requireMayRetire(ctx, grant);
    ctx.store.delete(GRANT_TABLE, grant.grant_id);
    return {};
  },

  listRetirableGrants(ctx, input) {
    const mine = ctx.store.list<Grant>(GRANT_TABLE).filter((g) => g.retiring_principal === principalOf(ctx));
    return page(mine, input.limit, input.marker);
  },
};
