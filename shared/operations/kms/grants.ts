/** Grants (reference §4.3 Grants): stored and validated; enforced per identity in server mode. */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { keyId, kmsValidation, KMS_VALIDATION, listLimit, listMarker, sequence, type Empty } from './common.js';

export const GRANT_OPERATIONS = [
  'create-datakey',
  'create-datakey-without-plaintext',
  'encrypt-datakey',
  'decrypt-datakey',
  'describe-key',
  'create-grant',
  'retire-grant',
  'encrypt-data',
  'decrypt-data',
] as const;

const principal = z.string().regex(/^[a-zA-Z0-9]{1,64}$/, 'must be 1-64 letters or digits');
const grantId = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters');

export interface Grant {
  key_id: string;
  grant_id: string;
  grantee_principal: string;
  grantee_principal_type: 'user' | 'domain';
  operations: string[];
  issuing_principal: string;
  creation_date: string;
  name: string;
  retiring_principal: string;
}

export interface GrantList {
  grants: Grant[];
  next_marker: string;
  truncated: 'true' | 'false';
  total: number;
}

export const grantOperations = {
  createGrant: defineOp({
    service: 'kms',
    name: 'create-grant',
    summary: 'Grant a principal the use of a CMK for some operations (1-10; create-grant alone is refused).',
    input: z.object({
      key_id: keyId,
      grantee_principal: principal,
      operations: z.array(z.enum(GRANT_OPERATIONS)).min(1, 'must list 1-10 operations').max(10, 'must list 1-10 operations'),
      name: z
        .string()
        .regex(/^[a-zA-Z0-9:/_-]{1,255}$/, 'must be 1-255 characters of a-z A-Z 0-9 : / _ -')
        .optional(),
      retiring_principal: principal.optional(),
      grantee_principal_type: z.enum(['user', 'domain']).default('user'),
      sequence,
    }),
    output: out<{ grant_id: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/create-grant' },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['grantee_principal', 'grantee_principal_type', 'operations', 'name', 'retiring_principal'] },
    validation: kmsValidation({ grantee_principal: 'KMS.2402', retiring_principal: 'KMS.2402' }),
  }),
  listGrants: defineOp({
    service: 'kms',
    name: 'list-grants',
    summary: 'The grants on a CMK, paged with limit and marker.',
    input: z.object({ key_id: keyId, limit: listLimit, marker: listMarker, sequence }),
    output: out<GrantList>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/list-grants' },
    mutates: false,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  revokeGrant: defineOp({
    service: 'kms',
    name: 'revoke-grant',
    aliases: ['cancel-grant'],
    summary: 'Revoke a grant (the key owner does this).',
    input: z.object({ key_id: keyId, grant_id: grantId, sequence }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/revoke-grant' },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['grant_id'] },
    validation: kmsValidation({ grant_id: 'KMS.2501' }),
  }),
  retireGrant: defineOp({
    service: 'kms',
    name: 'retire-grant',
    aliases: ['cancel-self-grant'],
    summary: 'Retire a grant (its creator, its retiring principal, or a grantee allowed retire-grant).',
    input: z.object({ key_id: keyId, grant_id: grantId, sequence }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/retire-grant' },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['grant_id'] },
    validation: kmsValidation({ grant_id: 'KMS.2501' }),
  }),
  listRetirableGrants: defineOp({
    service: 'kms',
    name: 'list-retirable-grants',
    summary: 'Grants this vault owner may retire: those naming it as retiring principal.',
    input: z.object({ limit: listLimit, marker: listMarker, sequence }),
    output: out<GrantList>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/list-retirable-grants' },
    mutates: false,
    audit: {},
    validation: KMS_VALIDATION,
  }),
} as const;
