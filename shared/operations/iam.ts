/**
 * Access keys (AK/SK) for `keyhold serve`, in the shapes of Huawei IAM's permanent access-key
 * API. Local only (no route): the cloud routes of `keyhold serve` never mint, change or delete
 * their own credentials. The desktop app and web mode's UI may, only with the current master
 * password again (shared/ui/contract.ts, REAUTHENTICATED_OPS).
 */
import { z } from 'zod';
import { defineOp, out, type Reach, type ValidationCodes } from './define.js';

/** IAM's error catalogue (the cloud's codes for access keys). */
export const IamErrors = {
  Invalid: 'IAM.0002',
  NotFound: 'IAM.0004',
} as const;

const IAM_VALIDATION: ValidationCodes = { missing: IamErrors.Invalid, invalid: IamErrors.Invalid };
/**
 * Access keys are the credentials of `keyhold serve`, which never routes these operations (no
 * cloud route): over HTTP only web mode's UI reaches them, and only with the master password
 * again (electron/ui/bridge.ts). Never sent to a remote.
 */
const IAM_REACH: readonly Reach[] = ['cli', 'ipc', 'http'];
const access = z.string().regex(/^[A-Z0-9]{20}$/, 'must be a 20-character access key id');

export interface AccessKeyInfo {
  access: string;
  /** owner: everything the vault owner may do; grantee: only what KMS grants give this access key id. */
  role: 'owner' | 'grantee';
  status: 'active' | 'inactive';
  description: string;
  create_time: string;
  user_id: string;
}

export const iamOperations = {
  createAccessKey: defineOp({
    service: 'iam',
    name: 'create-access-key',
    aliases: ['create-permanent-access-key'],
    summary: 'Create an access key (AK/SK) for signed requests to keyhold serve; the secret is shown once.',
    input: z.object({
      description: z.string().max(255).default(''),
      role: z.enum(['owner', 'grantee']).default('owner').describe('grantee: may only use keys through grants to its access key id'),
    }),
    output: out<{ credential: AccessKeyInfo & { secret: string } }>(),
    mutates: true,
    audit: { record: ['description', 'role'] },
    validation: IAM_VALIDATION,
    reach: IAM_REACH,
  }),
  listAccessKeys: defineOp({
    service: 'iam',
    name: 'list-access-keys',
    aliases: ['list-permanent-access-keys'],
    summary: 'List access keys (never their secrets).',
    input: z.object({}),
    output: out<{ credentials: AccessKeyInfo[] }>(),
    mutates: false,
    audit: {},
    validation: IAM_VALIDATION,
    reach: IAM_REACH,
  }),
  updateAccessKey: defineOp({
    service: 'iam',
    name: 'update-access-key',
    aliases: ['update-permanent-access-key'],
    summary: 'Enable (active) or disable (inactive) an access key, or change its description.',
    input: z.object({ access, status: z.enum(['active', 'inactive']).optional(), description: z.string().max(255).optional() }),
    output: out<{ credential: AccessKeyInfo }>(),
    mutates: true,
    audit: { record: ['access', 'status'] },
    validation: IAM_VALIDATION,
    reach: IAM_REACH,
  }),
  deleteAccessKey: defineOp({
    service: 'iam',
    name: 'delete-access-key',
    aliases: ['delete-permanent-access-key'],
    summary: 'Delete an access key; requests signed with it are refused from then on.',
    input: z.object({ access }),
    output: out<{ deleted: true }>(),
    mutates: true,
    audit: { record: ['access'] },
    validation: IAM_VALIDATION,
    reach: IAM_REACH,
  }),
} as const;
