/**
 * KMS operations: names, request schemas and response shapes of the cloud
 * (reference/huawei-dew-api.md §4, §11.1). Numbers the cloud sends as strings stay strings.
 */
import { z } from 'zod';
import { defineOp, out, type ValidationCodes } from './define.js';
import { KEY_SPECS, KEY_USAGES } from '../constants.js';
import { utf8Length } from '../text.js';

const KMS_VALIDATION: ValidationCodes = {
  missing: 'KMS.0204',
  invalid: 'KMS.0308',
  fields: {
    key_id: 'KMS.0205',
    sequence: 'KMS.0206',
    key_alias: 'KMS.1101',
    key_description: 'KMS.1103',
    limit: 'KMS.1601',
    marker: 'KMS.1602',
    additional_authenticated_data: 'KMS.0208',
    encryption_context: 'KMS.0208',
  },
};

const keyId = z.string().regex(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/, 'must be a 36-character key id');
const sequence = z.string().max(36).optional();
const keyAlias = z
  .string()
  .regex(/^[a-zA-Z0-9:/_-]{1,255}$/, 'must be 1-255 characters of a-z A-Z 0-9 : / _ -')
  .refine((a) => !a.endsWith('/default'), 'the suffix /default is reserved for default keys');
const aad = z
  .string()
  .refine((s) => utf8Length(s) <= 128, 'must be at most 128 bytes')
  .optional();
/** The retired v1 API's key-value context; canonicalised before it becomes AAD. */
const encryptionContext = z
  .record(z.string(), z.string())
  .refine((o) => JSON.stringify(o).length <= 8192, 'must be at most 8192 characters')
  .optional();

export type KeyState = '1' | '2' | '3' | '4' | '5';

/** describe-key's KeyDetails: every value a string, as the cloud sends it. */
export interface KeyDetails {
  key_id: string;
  domain_id: string;
  key_alias: string;
  realm: string;
  key_spec: string;
  key_usage: string;
  key_description: string;
  creation_date: string;
  scheduled_deletion_date: string;
  key_state: KeyState;
  default_key_flag: '0' | '1';
  key_type: string;
  expiration_time: string;
  origin: 'kms' | 'external';
  key_rotation_enabled: 'true' | 'false';
  sys_enterprise_project_id: string;
  keystore_id: string;
}

export const kmsOperations = {
  createKey: defineOp({
    service: 'kms',
    name: 'create-key',
    summary: 'Create a customer master key (CMK).',
    input: z.object({
      key_alias: keyAlias,
      key_spec: z.enum(KEY_SPECS).default('AES_256'),
      key_usage: z.enum(KEY_USAGES).optional(),
      key_description: z.string().max(255).default(''),
      origin: z.enum(['kms', 'external']).default('kms'),
      enterprise_project_id: z.string().max(36).optional(),
      sequence,
    }),
    output: out<{ key_info: { key_id: string; domain_id: string } }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/create-key' },
    mutates: true,
    audit: { record: ['key_alias', 'key_spec', 'key_usage', 'origin'] },
    validation: KMS_VALIDATION,
  }),
  describeKey: defineOp({
    service: 'kms',
    name: 'describe-key',
    aliases: ['list-key-detail'],
    summary: 'Show one CMK.',
    input: z.object({ key_id: keyId, sequence }),
    output: out<{ key_info: KeyDetails }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/describe-key' },
    mutates: false,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  listKeys: defineOp({
    service: 'kms',
    name: 'list-keys',
    summary: 'List CMKs; key_spec defaults to AES_256 as in the cloud, pass ALL for every spec.',
    input: z.object({
      limit: z.string().regex(/^\d{1,4}$/, 'must be a number from 1 to 1000').refine((s) => +s >= 1 && +s <= 1000, 'must be from 1 to 1000').optional(),
      marker: z.string().regex(/^\d{1,9}$/, 'must be a non-negative number').optional(),
      key_state: z.string().regex(/^[1-5]$/, 'must be 1-5').optional(),
      key_spec: z.enum([...KEY_SPECS, 'ALL']).default('AES_256'),
      enterprise_project_id: z.string().optional(),
      sequence,
    }),
    output: out<{ keys: string[]; key_details: KeyDetails[]; next_marker: string; truncated: 'true' | 'false'; total: number }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/list-keys' },
    mutates: false,
    audit: { record: ['key_spec', 'key_state'] },
    validation: KMS_VALIDATION,
  }),
  enableKey: defineOp({
    service: 'kms',
    name: 'enable-key',
    summary: 'Enable a disabled CMK.',
    input: z.object({ key_id: keyId, sequence }),
    output: out<{ key_info: { key_id: string; key_state: KeyState } }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/enable-key' },
    mutates: true,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  disableKey: defineOp({
    service: 'kms',
    name: 'disable-key',
    summary: 'Disable an enabled CMK.',
    input: z.object({ key_id: keyId, sequence }),
    output: out<{ key_info: { key_id: string; key_state: KeyState } }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/disable-key' },
    mutates: true,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  encryptData: defineOp({
    service: 'kms',
    name: 'encrypt-data',
    summary: 'Encrypt up to 4096 bytes of text under a CMK.',
    input: z.object({
      key_id: keyId,
      plain_text: z
        .string()
        .refine((s) => s.length > 0 && utf8Length(s) <= 4096, 'must be 1-4096 bytes once UTF-8 encoded'),
      encryption_algorithm: z.enum(['SYMMETRIC_DEFAULT']).default('SYMMETRIC_DEFAULT'),
      additional_authenticated_data: aad,
      encryption_context: encryptionContext,
      sequence,
    }),
    output: out<{ key_id: string; cipher_text: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/encrypt-data' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['encryption_algorithm'] },
    validation: { ...KMS_VALIDATION, fields: { ...KMS_VALIDATION.fields, plain_text: 'KMS.2101' } },
  }),
  decryptData: defineOp({
    service: 'kms',
    name: 'decrypt-data',
    summary: 'Decrypt a ciphertext from encrypt-data; the ciphertext names its key.',
    input: z.object({
      cipher_text: z.string().regex(/^[0-9a-zA-Z+/=]{128,5648}$/, 'must be 128-5648 base64 characters'),
      encryption_algorithm: z.enum(['SYMMETRIC_DEFAULT']).default('SYMMETRIC_DEFAULT'),
      key_id: keyId.optional(),
      additional_authenticated_data: aad,
      encryption_context: encryptionContext,
      sequence,
    }),
    output: out<{ key_id: string; plain_text: string; plain_text_base64: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/decrypt-data' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['encryption_algorithm'] },
    validation: { ...KMS_VALIDATION, fields: { ...KMS_VALIDATION.fields, cipher_text: 'KMS.2201' } },
  }),
} as const;
