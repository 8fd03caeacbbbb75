/**
 * Grants: stored and validated like the cloud's. Keyhold's local transports have one identity
 * (the vault owner, named by the vault's domain id), so grants are enforced only once the
 * server has identities; until then they are records the owner manages.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { LIMITS } from '../../../shared/constants.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { Grant, GrantList, grantOperations } from '../../../shared/operations/kms.js';
import { randomHex } from '../crypto/random.js';
import type { KmsContext } from './context.js';
import { getKey, requireNotDefault, requireNotPendingDeletion } from './keys.js';

export const GRANT_TABLE = 'kms_grants';

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

/** The grant `grant_id` on key `key_id`: unknown → KMS.2501, on another key → KMS.2502. */
function findGrant(ctx: KmsContext, keyId: string, grantId: string): Grant {
  getKey(ctx, keyId);
  const grant = ctx.store.read<Grant>(GRANT_TABLE, grantId);
  if (!grant) throw new KeyholdError('KMS.2501', `The grant ${grantId} does not exist.`, 404);
  if (grant.key_id !== keyId) throw new KeyholdError('KMS.2502', `The grant ${grantId} is not a grant on key ${keyId}.`, 400);
  return grant;
}

export const grantHandlers: Handlers<typeof grantOperations, KmsContext> = {
  createGrant(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 'granted');
    requireNotPendingDeletion(key);
    const operations = [...new Set(input.operations)];
    if (operations.length === 1 && operations[0] === 'create-grant') {
      throw new KeyholdError('KMS.2401', 'Invalid operations: create-grant cannot be granted alone.', 400);
    }
    if (grantsOf(ctx, key.key_id).length >= LIMITS.grantsPerKey) {
      throw new KeyholdError('KMS.2404', `The key ${key.key_id} already has the maximum of ${LIMITS.grantsPerKey} grants.`, 400);
    }
    const grant: Grant = {
      key_id: key.key_id,
      grant_id: randomHex(32),
      grantee_principal: input.grantee_principal,
      grantee_principal_type: input.grantee_principal_type,
      operations,
      issuing_principal: ctx.domain.domain_id,
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
    // The local caller is the vault owner, who created every grant, so the creator rule allows it.
    ctx.store.delete(GRANT_TABLE, findGrant(ctx, input.key_id, input.grant_id).grant_id);
    return {};
  },

  listRetirableGrants(ctx, input) {
    const mine = ctx.store.list<Grant>(GRANT_TABLE).filter((g) => g.retiring_principal === ctx.domain.domain_id);
    return page(mine, input.limit, input.marker);
  },
};
