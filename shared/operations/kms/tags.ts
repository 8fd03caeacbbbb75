/** Key tags (reference §4.3 Tags); tag contents are checked in the service with the cloud's codes. */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { keyId, kmsValidation, KMS_VALIDATION, numericString, sequence, type Empty, type KeyDetails } from './common.js';

const tagItem = z.object({ key: z.string(), value: z.string().default('') });
export type TagItem = { key: string; value: string };

export const tagOperations = {
  createKmsTag: defineOp({
    service: 'kms',
    name: 'create-kms-tag',
    summary: 'Add (or overwrite) one tag on a CMK: key 1-36 characters, value 0-43; at most 10 tags per key.',
    input: z.object({ key_id: keyId, tag: tagItem, sequence }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/{key_id}/tags', status: 204 },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['tag'] },
    validation: kmsValidation({ tag: 'KMS.0406' }),
  }),
  batchCreateKmsTags: defineOp({
    service: 'kms',
    name: 'batch-create-kms-tags',
    summary: 'Add (action create) or remove (action delete) 1-20 tags on a CMK at once.',
    input: z.object({ key_id: keyId, tags: z.array(tagItem), action: z.string(), sequence }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/{key_id}/tags/action', status: 204 },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['tags', 'action'] },
    validation: kmsValidation({ tags: 'KMS.0407', action: 'KMS.0404' }),
  }),
  deleteTag: defineOp({
    service: 'kms',
    name: 'delete-tag',
    summary: 'Remove one tag from a CMK by its key.',
    input: z.object({ key_id: keyId, key: z.string(), sequence }),
    output: out<Empty>(),
    route: { method: 'DELETE', path: '/v1.0/{project_id}/kms/{key_id}/tags/{key}', status: 204 },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['key'] },
    validation: kmsValidation({ key: 'KMS.0406' }),
  }),
  showKmsTags: defineOp({
    service: 'kms',
    name: 'show-kms-tags',
    summary: "A CMK's tags; existTagsNum is camelCase, as in the cloud.",
    input: z.object({ key_id: keyId }),
    output: out<{ tags: TagItem[]; existTagsNum: number }>(),
    route: { method: 'GET', path: '/v1.0/{project_id}/kms/{key_id}/tags' },
    mutates: false,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  listKmsTags: defineOp({
    service: 'kms',
    name: 'list-kms-tags',
    summary: 'Every tag key used in the project with its values.',
    input: z.object({}),
    output: out<{ tags: { key: string; values: string[] }[] }>(),
    route: { method: 'GET', path: '/v1.0/{project_id}/kms/tags' },
    mutates: false,
    audit: {},
    validation: KMS_VALIDATION,
  }),
  listKmsByTags: defineOp({
    service: 'kms',
    name: 'list-kms-by-tags',
    summary: 'Find CMKs by tags (values OR-ed within a key, keys AND-ed) and resource_name matches; action filter or count.',
    input: z.object({
      action: z.string(),
      limit: numericString(1, 1000).default('10'),
      offset: z
        .string()
        .regex(/^-?\d{1,9}$/, 'must be a number')
        .default('0'),
      tags: z.array(z.object({ key: z.string(), values: z.array(z.string()) })).default([]),
      matches: z.array(z.object({ key: z.string(), value: z.string() })).default([]),
      sequence,
    }),
    output: out<{ resources?: { resource_id: string; resource_name: string; resource_detail: KeyDetails; tags: TagItem[] }[]; total_count: number }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/resource_instances/action' },
    mutates: false,
    audit: { record: ['action', 'tags', 'matches'] },
    validation: kmsValidation({ action: 'KMS.0404', tags: 'KMS.0407', matches: 'KMS.0415', offset: 'KMS.0417' }),
  }),
} as const;
