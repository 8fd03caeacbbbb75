/**
 * Remotes: a Huawei Cloud region or another Keyhold running `keyhold serve`. Local only (no
 * route). The secret key is stored sealed in the vault and never returned.
 */
import { z } from 'zod';
import { defineOp, out, type ValidationCodes } from './define.js';

const REMOTE_VALIDATION: ValidationCodes = { missing: 'REMOTE.0002', invalid: 'REMOTE.0002' };
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . -');
const url = z.string().url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export interface RemoteInfo {
  name: string;
  endpoint: string;
  ecs_endpoint: string | null;
  project_id: string;
  region: string | null;
  access_key: string;
  created: string;
}

export const remoteOperations = {
  remoteAdd: defineOp({
    service: 'remote',
    name: 'add',
    summary: 'Register a remote KMS: Huawei Cloud (endpoint defaults from --region) or another Keyhold (its serve URL).',
    input: z.object({
      name,
      endpoint: url.optional().describe('base URL of KMS/CSMS/KPS; default https://kms.{region}.myhuaweicloud.com'),
      ecs_endpoint: url.optional().describe('base URL of ECS (Windows passwords); default https://ecs.{region}.myhuaweicloud.com'),
      project_id: z.string().regex(/^[0-9a-zA-Z]{1,64}$/, 'must be the project id (32 hex characters on Huawei Cloud)'),
      region: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a region id such as cn-north-4').optional(),
      access_key: z.string().min(1).max(128),
      secret_key: z.string().min(1).max(256).describe('the secret key; use --secret-key-file F to keep it off the command line'),
    }),
    output: out<{ remote: RemoteInfo }>(),
    mutates: true,
    audit: { record: ['name', 'endpoint', 'project_id', 'region'] },
    validation: REMOTE_VALIDATION,
  }),
  remoteList: defineOp({
    service: 'remote',
    name: 'list',
    summary: 'List the configured remotes (never their secret keys).',
    input: z.object({}),
    output: out<{ remotes: RemoteInfo[] }>(),
    mutates: false,
    audit: {},
    validation: REMOTE_VALIDATION,
  }),
  remoteRemove: defineOp({
    service: 'remote',
    name: 'remove',
    summary: 'Forget a remote and its credentials.',
    input: z.object({ name }),
    output: out<{ removed: string }>(),
    mutates: true,
    audit: { record: ['name'] },
    validation: REMOTE_VALIDATION,
  }),
  remoteTest: defineOp({
    service: 'remote',
    name: 'test',
    summary: 'Check that a remote answers a signed request (KMS list-keys) and how fast.',
    input: z.object({ name }),
    output: out<{ remote: string; reachable: true; latency_ms: number; keys_visible: number }>(),
    mutates: false,
    audit: { record: ['name'] },
    validation: REMOTE_VALIDATION,
  }),
} as const;
