/**
 * Remotes: a Huawei Cloud region or another Keyhold running `keyhold serve`. Local only (no
 * route). The secret key is stored sealed in the vault and never returned.
 */
import { z } from 'zod';
import { defineOp, out, type ValidationCodes } from './define.js';

const REMOTE_VALIDATION: ValidationCodes = { missing: 'REMOTE.0002', invalid: 'REMOTE.0002' };
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . -');
const url = z
  .string()
  .url('must be an http(s) URL')
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export interface RemoteInfo {
  /** Fixed when the remote is added: sync bases and mirrored keys belong to it, not to the name. Absent on remotes added before ids existed. */
  id?: string;
  name: string;
  endpoint: string;
  ecs_endpoint: string | null;
  project_id: string;
  region: string | null;
  access_key: string;
  created: string;
}

export interface SyncChange {
  service: 'kms' | 'csms' | 'kps';
  /**
   * What would happen (dry run) or happened: to the local side for pull, the remote for push.
   * `failed` and `untried` only in a push that stopped at a failure (docs/sync.md).
   */
  action: 'add' | 'update' | 'stage-move' | 'remove' | 'conflict' | 'unchanged' | 'failed' | 'untried';
  id: string;
  detail?: string;
}

/** Actions that leave the two sides different after a sync: such a sync is not `complete`. */
export const UNSYNCED_ACTIONS: readonly SyncChange['action'][] = ['conflict', 'failed', 'untried'];

export interface MirroredKey {
  remote: string;
  /** The id of the remote record it was mirrored from (absent on mirrors made before ids existed). */
  remote_id?: string;
  key_id: string;
  key_alias: string;
  key_spec: string;
  key_usage: string;
  key_state: string;
  synced_at: string;
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
      region: z
        .string()
        .regex(/^[a-z0-9-]{1,64}$/, 'must be a region id such as cn-north-4')
        .optional(),
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
    summary: 'Forget a remote, its credentials, its CSMS sync bases and its mirrored KMS keys (a remote added again under the same name starts afresh).',
    input: z.object({ name }),
    output: out<{ removed: string; forgotten: { csms_bases: number; kms_mirror: number } }>(),
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
  remoteSync: defineOp({
    service: 'remote',
    name: 'sync',
    summary:
      "Synchronise with a remote, as plan then apply: kms mirrors the remote keys' metadata (the keys stay remote); csms carries versions and stages; --dry-run prints the plan. Exits 1 with complete: false while anything stays unsynced (a conflict, a failure, a secret not tried).",
    input: z.object({
      name,
      service: z.enum(['kms', 'csms', 'kps']),
      direction: z.enum(['pull', 'push']).default('pull'),
      dry_run: z.boolean().default(false),
    }),
    output: out<{ changes: SyncChange[]; applied: boolean; complete: boolean }>(),
    mutates: true,
    audit: { record: ['name', 'service', 'direction', 'dry_run'] },
    validation: REMOTE_VALIDATION,
    // Two pushes to one remote at once would both write the same new versions there (each reads
    // the remote before the other writes). Pulls need no claim: their commits reconcile.
    exclusive: (input) =>
      input.direction === 'push' && !input.dry_run
        ? { key: `remote sync push ${input.service} ${input.name}`, what: `push to remote ${input.name} (${input.service})` }
        : null,
  }),
  remoteResolve: defineOp({
    service: 'remote',
    name: 'resolve',
    summary:
      'Decide a sync conflict of one secret: the next sync that writes the other side applies the kept side there as new versions (and its stages, or its deletion, scheduled and restorable); history is never deleted.',
    input: z.object({
      name,
      service: z.enum(['csms']),
      secret_name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be a secret name: 1-64 characters of a-z A-Z 0-9 _ -'),
      keep: z.enum(['local', 'remote']),
    }),
    output: out<{ remote: string; service: 'csms'; secret_name: string; keep: 'local' | 'remote'; applied_by: 'push' | 'pull' }>(),
    mutates: true,
    audit: { record: ['name', 'service', 'secret_name', 'keep'] },
    validation: REMOTE_VALIDATION,
  }),
  remoteByok: defineOp({
    service: 'remote',
    name: 'byok',
    summary:
      'Bring your own key to a remote CMK created with origin external: material generated here (or read from --material-file), or a key pair from --private-key-file, is wrapped locally with the remote wrapping key and imported; only the wrapped form travels.',
    input: z.object({
      name,
      key_id: z.string().regex(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/, 'must be the remote key id'),
      wrapping_algorithm: z.enum(['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSAES_PKCS1_V1_5']).default('RSAES_OAEP_SHA_256'),
      material_file: z.string().min(1).optional().describe('32 bytes of AES-256 key material to import instead of generating it'),
      material_out: z.string().min(1).optional().describe('where to keep a copy of generated material (mode 0600), for escrow'),
      private_key_file: z
        .string()
        .min(1)
        .optional()
        .describe('a private key (PEM, or DER as PKCS#8/SEC1/PKCS#1, unencrypted) to import into a remote key-pair CMK (RSA, EC, SM2, ED25519)'),
      expiration_time: z.number().int().positive().optional().describe('seconds since epoch after which the remote drops the material'),
    }),
    output: out<{
      key_id: string;
      remote: string;
      wrapping_algorithm: string;
      material_source: 'generated' | 'file' | 'private_key_file';
      material_out: string | null;
    }>(),
    mutates: false,
    localFiles: true,
    audit: { keyIdField: 'key_id', record: ['name', 'wrapping_algorithm'] },
    validation: REMOTE_VALIDATION,
  }),
  remoteWindowsPassword: defineOp({
    service: 'remote',
    name: 'windows-password',
    summary:
      "Fetch a Windows server's encrypted password from the remote's ECS (os-server-password) and decrypt it here with a hosted key pair or a private-key file.",
    input: z.object({
      name,
      server_id: z.string().regex(/^[0-9a-zA-Z-]{1,64}$/, 'must be the ECS server id'),
      keypair_name: z.string().min(1).max(64).optional().describe('a key pair whose private key Keyhold hosts'),
      private_key: z.string().min(1).optional().describe('a private-key file in any format Keyhold reads'),
      passphrase: z.string().optional().describe('passphrase of the private-key file (use --passphrase-file)'),
    }),
    output: out<{ password: string }>(),
    mutates: false,
    localFiles: true,
    audit: { record: ['name', 'server_id', 'keypair_name'] },
    validation: REMOTE_VALIDATION,
  }),
  remoteListMirroredKeys: defineOp({
    service: 'remote',
    name: 'list-mirrored-keys',
    summary: 'The remote keys mirrored by the last kms sync (use them with --remote NAME).',
    input: z.object({ name: name.optional() }),
    output: out<{ keys: MirroredKey[] }>(),
    mutates: false,
    audit: { record: ['name'] },
    validation: REMOTE_VALIDATION,
  }),
} as const;
