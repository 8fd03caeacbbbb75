/**
 * CSMS (secrets) operations: the SDK method names in kebab-case, the cloud's routes, request
 * fields and response shapes (reference/huawei-dew-api.md §5, §11.2). Errors are flat
 * `{error_code, error_msg}` with CSMS.xxxx codes. Timestamps are epoch milliseconds.
 *
 * Keyhold extensions (absent from the cloud API, ignored by cloud SDKs): `secret_format`
 * (TEXT or JSON key/value, validated on every version), and show-secret-version accepting a
 * stage name where the cloud takes only `vN` or `latest`.
 */
import { z } from 'zod';
import { defineOp, out, pageLimit, type ValidationCodes } from './define.js';
import { utf8AtMost } from '../text.js';

export const CSMS_LIMITS = {
  /** Bytes of a secret_string (UTF-8) or characters of a secret_binary (base64), as the cloud counts. */
  valueBytes: 32768,
  versionsPerSecret: 20,
  stagesPerSecret: 12,
  /** rotation_period bounds, in seconds: 6 h to 8760 h. */
  rotationMinSeconds: 6 * 3600,
  rotationMaxSeconds: 8760 * 3600,
  passwordMaxLength: 4096,
} as const;

export const SYSTEM_STAGES = ['SYSCURRENT', 'SYSPREVIOUS'] as const;

export const EVENT_TYPES = ['SECRET_VERSION_CREATED', 'SECRET_VERSION_EXPIRED', 'SECRET_ROTATED', 'SECRET_DELETED', 'SECRET_ROTATED_FAILED'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const CSMS_VALIDATION: ValidationCodes = { missing: 'CSMS.0002', invalid: 'CSMS.0002' };

const NAME_RULE = /^[a-zA-Z0-9_-]{1,64}$/;
const nameMessage = 'must be 1-64 characters of a-z A-Z 0-9 _ -';
const secretName = z.string().regex(NAME_RULE, nameMessage);
const stageName = z.string().regex(NAME_RULE, nameMessage);
const eventName = z.string().regex(NAME_RULE, nameMessage);
const kmsKeyId = z.string().regex(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/, 'must be a 36-character key id');
/** `vN`, `latest`, or (Keyhold) a stage name. */
const versionRef = z.string().regex(NAME_RULE, 'must be vN, latest or a stage name');
const versionId = z.string().regex(/^v[0-9]{1,10}$/, 'must be a version id such as v3');

const secretString = z.string().refine((s) => utf8AtMost(s, CSMS_LIMITS.valueBytes), `must be at most ${CSMS_LIMITS.valueBytes} bytes once UTF-8 encoded`);
const secretBinary = z
  .string()
  .max(CSMS_LIMITS.valueBytes, `must be at most ${CSMS_LIMITS.valueBytes} base64 characters`)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const rotationPeriod = z.string().regex(/^[1-9][0-9]{0,8}[dhms]$/, 'must be <integer><unit> with unit d, h, m or s');
const versionStages = z.array(stageName).min(1).max(CSMS_LIMITS.stagesPerSecret);
/** Epoch milliseconds. */
const epochMs = z.coerce.number().int().min(0).max(8_640_000_000_000_000);

const eventTypes = z.array(z.enum(EVENT_TYPES)).min(1).max(12);
const notification = z.object({
  target_type: z.literal('SMN'),
  target_id: z.string().regex(/^[a-zA-Z0-9\-._:]{1,256}$/, 'must be 1-256 characters of a-z A-Z 0-9 - . _ :'),
  target_name: z.string().regex(NAME_RULE, nameMessage),
});

/** The create-secret body; batch-import-secrets validates each of its items with it too. */
export const createSecretBody = z
  .object({
    name: secretName,
    kms_key_id: kmsKeyId.optional(),
    description: z
      .string()
      .refine((s) => utf8AtMost(s, 2048), 'must be at most 2048 bytes')
      .default(''),
    secret_string: secretString.optional(),
    secret_binary: secretBinary.optional(),
    secret_type: z.enum(['COMMON'], 'only COMMON secrets exist locally (RDS-FG and GaussDB-FG rotate through cloud functions)').default('COMMON'),
    secret_format: z.enum(['TEXT', 'JSON']).default('TEXT').describe('Keyhold: JSON makes every version a validated JSON key/value object'),
    auto_rotation: z.boolean().default(false),
    rotation_period: rotationPeriod.optional(),
    event_subscriptions: z.array(eventName).max(1).default([]),
    enterprise_project_id: z.string().min(1).max(36).default('0'),
  })
  .refine((b) => (b.secret_string === undefined) !== (b.secret_binary === undefined), {
    message: 'exactly one of secret_string and secret_binary is required',
    path: ['secret_string'],
  });
export type CreateSecretBody = z.infer<typeof createSecretBody>;

export type SecretState = 'ENABLED' | 'DISABLED' | 'PENDING_DELETE' | 'FROZEN';

export interface Secret {
  id: string;
  name: string;
  state: SecretState;
  kms_key_id: string;
  description: string;
  create_time: number;
  update_time: number;
  scheduled_delete_time: number | null;
  secret_type: 'COMMON';
  secret_format: 'TEXT' | 'JSON';
  auto_rotation: boolean;
  rotation_period: string | null;
  rotation_config: string;
  rotation_time: number | null;
  next_rotation_time: number | null;
  event_subscriptions: string[];
  enterprise_project_id: string;
  rotation_func_urn: string;
}

export interface VersionMetadata {
  id: string;
  create_time: number;
  expire_time?: number;
  kms_key_id: string;
  secret_name: string;
  version_stages: string[];
}

export interface PageInfo {
  /** The last item of this page: pass it as `marker` for the next page. Absent on the last page. */
  next_marker?: string;
  /** The marker this page started after. */
  previous_marker?: string;
  current_count: number;
}

export interface Stage {
  name: string;
  update_time: number;
  secret_name: string;
  version_id: string;
}

export interface SecretEvent {
  name: string;
  event_id: string;
  event_types: EventType[];
  state: 'ENABLED' | 'DISABLED';
  notification: { target_type: 'SMN'; target_id: string; target_name: string };
  create_time: number;
  update_time: number;
}

export interface NotificationRecord {
  event_name: string;
  trigger_event_type: EventType;
  create_time: number;
  notification_content: string;
  notification_status: 'SUCCESS' | 'FAIL' | 'INVALID';
  notification_target_name: string;
  notification_target_id: string;
  secret_name: string;
  secret_type: 'COMMON';
}

const SECRET_PATH = '/v1/{project_id}/secrets/{secret_name}';
const withName = { secret_name: secretName };

export const csmsOperations = {
  createSecret: defineOp({
    service: 'csms',
    name: 'create-secret',
    summary: 'Create a secret with its first version (v1, SYSCURRENT), sealed under a CMK (default csms/default).',
    input: createSecretBody,
    output: out<{ secret: Secret }>(),
    route: { method: 'POST', path: '/v1/{project_id}/secrets' },
    mutates: true,
    audit: { keyIdField: 'kms_key_id', record: ['name', 'secret_type', 'secret_format', 'auto_rotation', 'rotation_period', 'event_subscriptions'] },
    validation: CSMS_VALIDATION,
  }),
  listSecrets: defineOp({
    service: 'csms',
    name: 'list-secrets',
    summary: 'List secrets by name (metadata only, never values); marker is the last name of the previous page.',
    input: z.object({ limit: pageLimit(1000), marker: secretName.optional(), event_name: eventName.optional() }),
    output: out<{ secrets: Secret[]; page_info: PageInfo }>(),
    route: { method: 'GET', path: '/v1/{project_id}/secrets' },
    mutates: false,
    audit: { record: ['limit', 'marker', 'event_name'] },
    validation: CSMS_VALIDATION,
  }),
  showSecret: defineOp({
    service: 'csms',
    name: 'show-secret',
    summary: 'Show one secret (metadata only).',
    input: z.object(withName),
    output: out<{ secret: Secret }>(),
    route: { method: 'GET', path: SECRET_PATH },
    mutates: false,
    audit: { record: ['secret_name'] },
    validation: CSMS_VALIDATION,
  }),
  updateSecret: defineOp({
    service: 'csms',
    name: 'update-secret',
    summary: "Change a secret's description, CMK (its versions' data keys are re-wrapped, values untouched), rotation or event subscription.",
    input: z.object({
      ...withName,
      kms_key_id: kmsKeyId.optional(),
      description: z
        .string()
        .refine((s) => utf8AtMost(s, 2048), 'must be at most 2048 bytes')
        .optional(),
      auto_rotation: z.boolean().optional(),
      rotation_period: rotationPeriod.optional(),
      event_subscriptions: z.array(eventName).max(1).optional(),
    }),
    output: out<{ secret: Secret }>(),
    route: { method: 'PUT', path: SECRET_PATH },
    mutates: true,
    audit: { keyIdField: 'kms_key_id', record: ['secret_name', 'auto_rotation', 'rotation_period', 'event_subscriptions'] },
    validation: CSMS_VALIDATION,
  }),
  deleteSecret: defineOp({
    service: 'csms',
    name: 'delete-secret',
    summary: 'Delete a secret and all its versions now (irreversible).',
    input: z.object(withName),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: SECRET_PATH },
    mutates: true,
    audit: { record: ['secret_name'] },
    validation: CSMS_VALIDATION,
  }),
  deleteSecretForSchedule: defineOp({
    service: 'csms',
    name: 'delete-secret-for-schedule',
    summary: 'Schedule a secret for deletion after a recovery window of 7-30 days (state PENDING_DELETE).',
    input: z.object({ ...withName, recovery_window_in_days: z.coerce.number().int().min(7).max(30).default(30) }),
    output: out<{ secret: Secret }>(),
    route: { method: 'POST', path: `${SECRET_PATH}/scheduled-deleted-tasks/create` },
    mutates: true,
    audit: { record: ['secret_name', 'recovery_window_in_days'] },
    validation: CSMS_VALIDATION,
  }),
  restoreSecret: defineOp({
    service: 'csms',
    name: 'restore-secret',
    summary: 'Cancel the scheduled deletion of a secret.',
    input: z.object(withName),
    output: out<{ secret: Secret }>(),
    route: { method: 'POST', path: `${SECRET_PATH}/scheduled-deleted-tasks/cancel` },
    mutates: true,
    audit: { record: ['secret_name'] },
    validation: CSMS_VALIDATION,
  }),
  createSecretVersion: defineOp({
    service: 'csms',
    name: 'create-secret-version',
    summary: 'Add a version (≤ 32 KB); without version_stages it becomes SYSCURRENT and the old current SYSPREVIOUS.',
    input: z
      .object({
        ...withName,
        secret_string: secretString.optional(),
        secret_binary: secretBinary.optional(),
        version_stages: versionStages.optional(),
        expire_time: epochMs.optional(),
      })
      .refine((b) => (b.secret_string === undefined) !== (b.secret_binary === undefined), {
        message: 'exactly one of secret_string and secret_binary is required',
        path: ['secret_string'],
      }),
    output: out<{ version_metadata: VersionMetadata }>(),
    route: { method: 'POST', path: `${SECRET_PATH}/versions` },
    mutates: true,
    audit: { record: ['secret_name', 'version_stages', 'expire_time'] },
    validation: CSMS_VALIDATION,
  }),
  listSecretVersions: defineOp({
    service: 'csms',
    name: 'list-secret-versions',
    summary: "List a secret's versions in creation order (metadata only); marker is the last version id of the previous page.",
    input: z.object({ ...withName, limit: pageLimit(1000), marker: versionId.optional() }),
    output: out<{ version_metadatas: VersionMetadata[]; page_info: PageInfo }>(),
    route: { method: 'GET', path: `${SECRET_PATH}/versions` },
    mutates: false,
    audit: { record: ['secret_name', 'limit', 'marker'] },
    validation: CSMS_VALIDATION,
  }),
  showSecretVersion: defineOp({
    service: 'csms',
    name: 'show-secret-version',
    summary: 'Show a version and its value: vN, latest (the SYSCURRENT version) or a stage name.',
    input: z.object({ ...withName, version_id: versionRef }),
    output: out<{ version: { version_metadata: VersionMetadata; secret_string?: string; secret_binary?: string } }>(),
    route: { method: 'GET', path: `${SECRET_PATH}/versions/{version_id}` },
    mutates: false,
    audit: { record: ['secret_name', 'version_id'] },
    validation: CSMS_VALIDATION,
  }),
  updateVersion: defineOp({
    service: 'csms',
    name: 'update-version',
    summary: "Set a version's expire_time (epoch ms); SECRET_VERSION_EXPIRED is recorded when it passes.",
    input: z.object({ ...withName, version_id: versionId, expire_time: epochMs }),
    output: out<{ version_metadata: VersionMetadata }>(),
    route: { method: 'PUT', path: `${SECRET_PATH}/versions/{version_id}` },
    mutates: true,
    audit: { record: ['secret_name', 'version_id', 'expire_time'] },
    validation: CSMS_VALIDATION,
  }),
  showSecretStage: defineOp({
    service: 'csms',
    name: 'show-secret-stage',
    summary: 'Show which version a stage points at.',
    input: z.object({ ...withName, stage_name: stageName }),
    output: out<{ stage: Stage }>(),
    route: { method: 'GET', path: `${SECRET_PATH}/stages/{stage_name}` },
    mutates: false,
    audit: { record: ['secret_name', 'stage_name'] },
    validation: CSMS_VALIDATION,
  }),
  updateSecretStage: defineOp({
    service: 'csms',
    name: 'update-secret-stage',
    summary: 'Point a stage at a version (creating the stage if new, at most 12); moving SYSCURRENT makes the old current SYSPREVIOUS.',
    input: z.object({ ...withName, stage_name: stageName, version_id: versionId }),
    output: out<{ stage: Stage }>(),
    route: { method: 'PUT', path: `${SECRET_PATH}/stages/{stage_name}` },
    mutates: true,
    audit: { record: ['secret_name', 'stage_name', 'version_id'] },
    validation: CSMS_VALIDATION,
  }),
  deleteSecretStage: defineOp({
    service: 'csms',
    name: 'delete-secret-stage',
    summary: 'Delete a custom stage (SYSCURRENT and SYSPREVIOUS cannot be deleted).',
    input: z.object({ ...withName, stage_name: stageName }),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: `${SECRET_PATH}/stages/{stage_name}`, status: 204 },
    mutates: true,
    audit: { record: ['secret_name', 'stage_name'] },
    validation: CSMS_VALIDATION,
  }),
  rotateSecret: defineOp({
    service: 'csms',
    name: 'rotate-secret',
    summary: 'Create a new random-valued version (from the password generator) and make it SYSCURRENT.',
    input: z.object(withName),
    output: out<{ version_id: string; secret_name: string; rotation_task_id: string }>(),
    route: { method: 'POST', path: `${SECRET_PATH}/rotate` },
    mutates: true,
    audit: { record: ['secret_name'] },
    validation: CSMS_VALIDATION,
  }),
  createSecretEvent: defineOp({
    service: 'csms',
    name: 'create-secret-event',
    summary: 'Create an event a secret can subscribe to; its notifications are recorded locally.',
    input: z.object({ name: eventName, event_types: eventTypes, state: z.enum(['ENABLED', 'DISABLED']), notification }),
    output: out<{ event: SecretEvent }>(),
    route: { method: 'POST', path: '/v1/{project_id}/csms/events' },
    mutates: true,
    audit: { record: ['name', 'event_types', 'state'] },
    validation: CSMS_VALIDATION,
  }),
  listSecretEvents: defineOp({
    service: 'csms',
    name: 'list-secret-events',
    summary: 'List events by name; marker is the last name of the previous page.',
    input: z.object({ limit: pageLimit(1000), marker: eventName.optional() }),
    output: out<{ events: SecretEvent[]; page_info: PageInfo }>(),
    route: { method: 'GET', path: '/v1/{project_id}/csms/events' },
    mutates: false,
    audit: { record: ['limit', 'marker'] },
    validation: CSMS_VALIDATION,
  }),
  showSecretEvent: defineOp({
    service: 'csms',
    name: 'show-secret-event',
    summary: 'Show one event.',
    input: z.object({ event_name: eventName }),
    output: out<{ event: SecretEvent }>(),
    route: { method: 'GET', path: '/v1/{project_id}/csms/events/{event_name}' },
    mutates: false,
    audit: { record: ['event_name'] },
    validation: CSMS_VALIDATION,
  }),
  updateSecretEvent: defineOp({
    service: 'csms',
    name: 'update-secret-event',
    summary: "Change an event's types, state or notification target.",
    input: z.object({
      event_name: eventName,
      event_types: eventTypes.optional(),
      state: z.enum(['ENABLED', 'DISABLED']).optional(),
      notification: notification.optional(),
    }),
    output: out<{ event: SecretEvent }>(),
    route: { method: 'PUT', path: '/v1/{project_id}/csms/events/{event_name}' },
    mutates: true,
    audit: { record: ['event_name', 'event_types', 'state'] },
    validation: CSMS_VALIDATION,
  }),
  deleteSecretEvent: defineOp({
    service: 'csms',
    name: 'delete-secret-event',
    summary: 'Delete an event no secret subscribes to.',
    input: z.object({ event_name: eventName }),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: '/v1/{project_id}/csms/events/{event_name}', status: 204 },
    mutates: true,
    audit: { record: ['event_name'] },
    validation: CSMS_VALIDATION,
  }),
  listNotificationRecords: defineOp({
    service: 'csms',
    name: 'list-notification-records',
    summary: 'List the event notifications recorded in this vault, newest first.',
    input: z.object({}),
    output: out<{ records: NotificationRecord[]; page_info: PageInfo }>(),
    route: { method: 'GET', path: '/v1/{project_id}/csms/notification-records' },
    mutates: false,
    audit: {},
    validation: CSMS_VALIDATION,
  }),
  downloadSecretBlob: defineOp({
    service: 'csms',
    name: 'download-secret-blob',
    aliases: ['backup-secret'],
    summary: 'Back a secret up (metadata and every version) as a sealed, tamper-evident blob only this vault can restore.',
    input: z.object(withName),
    output: out<{ secret_blob: string }>(),
    route: { method: 'POST', path: `${SECRET_PATH}/backup` },
    mutates: false,
    audit: { record: ['secret_name'] },
    validation: CSMS_VALIDATION,
  }),
  uploadSecretBlob: defineOp({
    service: 'csms',
    name: 'upload-secret-blob',
    aliases: ['restore-secret-from-backup'],
    summary: 'Restore a secret from a blob made by download-secret-blob in this vault (or the vault it was restored from).',
    input: z.object({ secret_blob: z.string().min(1).max(5_242_880) }),
    output: out<{ secret: Secret }>(),
    route: { method: 'POST', path: '/v1/{project_id}/secrets/restore' },
    mutates: true,
    audit: {},
    validation: CSMS_VALIDATION,
  }),
  batchImportSecrets: defineOp({
    service: 'csms',
    name: 'batch-import-secrets',
    aliases: ['batch-import'],
    summary: 'Create many secrets at once (each item is a create-secret body); failures are listed, the rest are created.',
    input: z.object({ secrets: z.array(z.unknown()).min(1).max(1000) }),
    output: out<{ total: number; success: number; failed: number; error_list: { name: string; error_msg: string }[] }>(),
    route: { method: 'POST', path: '/v1/{project_id}/secrets/batch-import' },
    mutates: true,
    audit: {},
    validation: CSMS_VALIDATION,
  }),
  generateRandomPassword: defineOp({
    service: 'csms',
    name: 'generate-random-password',
    summary: 'Generate a random password from the chosen character classes (crypto.randomInt).',
    input: z.object({
      length: z.coerce.number().int().min(1).max(CSMS_LIMITS.passwordMaxLength).default(32),
      exclude_characters: z.string().max(4096).default(''),
      exclude_lowercase: z.boolean().default(false),
      exclude_uppercase: z.boolean().default(false),
      exclude_numbers: z.boolean().default(false),
      exclude_punctuation: z.boolean().default(false),
      include_space: z.boolean().default(false),
      require_each_included_type: z.boolean().default(true),
    }),
    output: out<{ password: string }>(),
    route: { method: 'POST', path: '/v1/{project_id}/csms/generate-password' },
    mutates: false,
    audit: {
      record: ['length', 'exclude_lowercase', 'exclude_uppercase', 'exclude_numbers', 'exclude_punctuation', 'include_space', 'require_each_included_type'],
    },
    validation: CSMS_VALIDATION,
  }),
} as const;
