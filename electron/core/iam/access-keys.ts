/** Access keys: stored sealed in the vault like every record; the secret is returned once. */
import { randomInt } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import { IamErrors, type AccessKeyInfo, type iamOperations } from '../../../shared/operations/iam.js';
import type { RecordStore } from '../vault/store.js';

export const ACCESS_KEY_TABLE = 'iam_access_keys';

interface AccessKeyRecord extends AccessKeyInfo {
  secret: string;
}

export interface IamContext {
  store: RecordStore;
  domain: { domain_id: string };
  now(): number;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = `${UPPER_ALNUM}abcdefghijklmnopqrstuvwxyz`;

function randomString(alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

function info({ secret: _secret, ...rest }: AccessKeyRecord): AccessKeyInfo {
  return rest;
}

function find(store: RecordStore, access: string): AccessKeyRecord {
  const k = store.read<AccessKeyRecord>(ACCESS_KEY_TABLE, access);
  if (!k) throw new KeyholdError(IamErrors.NotFound, `The access key ${access} does not exist.`, 404);
  return k;
}

/** An active access key's secret (to verify a signature) and role; null otherwise. */
export function activeAccessKey(store: RecordStore, access: string): { secret: string; role: 'owner' | 'grantee' } | null {
  const k = store.read<AccessKeyRecord>(ACCESS_KEY_TABLE, access);
  return k && k.status === 'active' ? { secret: k.secret, role: k.role ?? 'owner' } : null;
}

export const iamHandlers: Handlers<typeof iamOperations, IamContext> = {
  createAccessKey(ctx, input) {
    const record: AccessKeyRecord = {
      access: randomString(UPPER_ALNUM, 20),
      secret: randomString(ALNUM, 40),
      status: 'active',
      role: input.role,
      description: input.description,
      create_time: new Date(ctx.now()).toISOString(),
      user_id: ctx.domain.domain_id,
    };
    ctx.store.put(ACCESS_KEY_TABLE, record.access, record);
    return { credential: record };
  },
  listAccessKeys(ctx) {
    return { credentials: ctx.store.list<AccessKeyRecord>(ACCESS_KEY_TABLE).map(info) };
  },
  updateAccessKey(ctx, input) {
    const k = find(ctx.store, input.access);
    const next = { ...k, status: input.status ?? k.status, description: input.description ?? k.description };
    ctx.store.put(ACCESS_KEY_TABLE, k.access, next);
    return { credential: info(next) };
  },
  deleteAccessKey(ctx, input) {
    find(ctx.store, input.access);
    ctx.store.delete(ACCESS_KEY_TABLE, input.access);
    return { deleted: true };
  },
};
