/**
 * KPS binding operations (reference §6, §11.3): bind a key pair into a server's authorized_keys,
 * unbind it, and the task lists. Cloud names, routes, bodies and responses; `server.id` is a
 * server of the local inventory (`keyhold servers`). Every binding runs as an asynchronous task.
 *
 * Keyhold extension: `keypair_private_key`, the key pair's private key. Keyhold logs in with the
 * new key before it removes an old key or disables password login (the cloud's agent needs no
 * such proof); it is used for that proof only and never stored.
 */
import { z } from 'zod';
import { defineOp, out, pageLimit, type ValidationCodes } from './define.js';

const KPS_BINDING_VALIDATION: ValidationCodes = { missing: 'KPS.0001', invalid: 'KPS.0002' };

const keypairName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const serverId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a server id from `keyhold servers list`');
const taskId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a task id');
const auth = z.object({
  type: z.enum(['password', 'keypair']),
  /** The password, or the private key currently configured on the server. */
  key: z
    .string()
    .min(1)
    .max(64 * 1024)
    .optional(),
  /**
   * Keyhold: with type keypair, a key pair whose private key Keyhold hosts and which logs in
   * today, instead of its text in `key` (unsealed for the task only; no key text crosses the call).
   */
  keypair_name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
    .optional(),
  /**
   * Keyhold: the passphrase of an encrypted `key` (any format Keyhold reads). The key is opened
   * before the request's transaction, under the key-file KDF bounds, and never stored.
   */
  passphrase: z.string().min(1).max(1024).optional(),
});
const privateKey = z
  .string()
  .min(1)
  .max(64 * 1024);
const associateServer = z.object({
  id: serverId,
  auth: auth.optional(),
  disable_password: z.boolean().default(false),
  port: z.number().int().min(1).max(65535).optional(),
});
const associateBody = z.object({
  keypair_name: keypairName,
  server: associateServer,
  keypair_private_key: privateKey.optional().describe("the key pair's private key (Keyhold: proves the new key logs in; never stored)"),
});
const page = {
  limit: pageLimit(1000, 1000),
  offset: z.coerce.number().int().min(0).default(0),
};

export type TaskOperation = 'RESET' | 'REPLACE' | 'UNBIND';
export type TaskState = 'RUNNING' | 'SUCCESS' | 'FAILED';

export interface RunningTaskInfo {
  task_id: string;
  operate_type: `RUNNING_${TaskOperation}`;
  task_time: number;
  server_name: string;
  server_id: string;
  keypair_name: string;
}

export interface FailedTaskInfo {
  task_id: string;
  operate_type: `FAILED_${TaskOperation}`;
  task_time: number;
  task_error_code: string;
  task_error_msg: string;
  server_name: string;
  server_id: string;
  keypair_name: string;
}

export interface BatchTaskInfo {
  task_id?: string;
  server_id: string;
  status: 'SUCCESS' | 'FAILED';
  error_code?: string;
  error_msg?: string;
}

const AUDIT_KEYPAIR = { record: ['keypair_name'] } as const;

export const kpsBindingOperations = {
  associateKeypair: defineOp({
    service: 'kps',
    name: 'associate-keypair',
    summary: "Bind a key pair into a server's authorized_keys over SSH (reset with a password, replace with the current private key); returns a task id.",
    input: associateBody,
    output: out<{ task_id: string }>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs/associate', status: 202 },
    mutates: true,
    startsTasks: true,
    audit: AUDIT_KEYPAIR,
    validation: KPS_BINDING_VALIDATION,
  }),
  batchAssociateKeypair: defineOp({
    service: 'kps',
    name: 'batch-associate-keypair',
    summary: 'Bind one key pair into up to 10 servers; one task per server.',
    input: z.object({
      batch_keypairs: z.array(associateBody).min(1).max(10),
    }),
    output: out<{ tasks: BatchTaskInfo[] }>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs/batch-associate', status: 202 },
    mutates: true,
    startsTasks: true,
    audit: {},
    validation: KPS_BINDING_VALIDATION,
  }),
  disassociateKeypair: defineOp({
    service: 'kps',
    name: 'disassociate-keypair',
    summary: 'Remove the key pair Keyhold bound on a server, restoring password login if Keyhold disabled it; returns a task id.',
    input: z.object({
      server: z.object({ id: serverId, auth: auth.optional(), port: z.number().int().min(1).max(65535).optional() }),
      keypair_private_key: privateKey
        .optional()
        .describe("the bound key pair's private key (Keyhold: logs in when password login is off and auth is a password)"),
    }),
    output: out<{ task_id: string }>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs/disassociate', status: 202 },
    mutates: true,
    startsTasks: true,
    audit: {},
    validation: KPS_BINDING_VALIDATION,
  }),
  listKeypairTask: defineOp({
    service: 'kps',
    name: 'list-keypair-task',
    aliases: ['show-keypair-task'],
    summary:
      'The state of one binding task: RUNNING_, SUCCESS_ or FAILED_ with RESET, REPLACE or UNBIND; a failed one with task_error_code and task_error_msg.',
    input: z.object({ task_id: taskId }),
    /** A failed task also carries its cause (Keyhold adds these; the cloud shows them only in list-failed-task). */
    output: out<{ server_id: string; task_id: string; task_status: `${TaskState}_${TaskOperation}`; task_error_code?: string; task_error_msg?: string }>(),
    route: { method: 'GET', path: '/v3/{project_id}/tasks/{task_id}' },
    mutates: false,
    audit: { record: ['task_id'] },
    validation: KPS_BINDING_VALIDATION,
  }),
  listRunningTask: defineOp({
    service: 'kps',
    name: 'list-running-task',
    summary: 'Binding tasks still running.',
    input: z.object(page),
    output: out<{ total: number; tasks: RunningTaskInfo[] }>(),
    route: { method: 'GET', path: '/v3/{project_id}/running-tasks' },
    mutates: false,
    audit: {},
    validation: KPS_BINDING_VALIDATION,
  }),
  listFailedTask: defineOp({
    service: 'kps',
    name: 'list-failed-task',
    summary: 'Binding tasks that failed, with the error code and the cause.',
    input: z.object(page),
    output: out<{ total: number; tasks: FailedTaskInfo[] }>(),
    route: { method: 'GET', path: '/v3/{project_id}/failed-tasks' },
    mutates: false,
    audit: {},
    validation: KPS_BINDING_VALIDATION,
  }),
  deleteFailedTask: defineOp({
    service: 'kps',
    name: 'delete-failed-task',
    summary: 'Delete one failed-task record.',
    input: z.object({ task_id: taskId }),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: '/v3/{project_id}/failed-tasks/{task_id}' },
    mutates: true,
    audit: { record: ['task_id'] },
    validation: KPS_BINDING_VALIDATION,
  }),
  deleteAllFailedTask: defineOp({
    service: 'kps',
    name: 'delete-all-failed-task',
    summary: 'Delete every failed-task record.',
    input: z.object({}),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: '/v3/{project_id}/failed-tasks' },
    mutates: true,
    audit: {},
    validation: KPS_BINDING_VALIDATION,
  }),
} as const;
