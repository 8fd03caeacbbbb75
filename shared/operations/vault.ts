/**
 * Local operations on the vault and its audit log. They have no cloud twin, so no route: the
 * server exposes them only where a later issue says so.
 */
import { z } from 'zod';
import { defineOp, out, pageLimit, type ValidationCodes } from './define.js';

const LOCAL_VALIDATION: ValidationCodes = { missing: 'CLI.0002', invalid: 'CLI.0002' };

export interface AuditEvent {
  seq: number;
  time: string;
  transport: string;
  operation: string;
  key_id: string | null;
  outcome: string;
  fields: Record<string, unknown>;
}

/** Entries found missing from the end of the log at an unlock, recorded by entry `at`. */
export interface AuditLoss {
  at: number;
  from: number;
  to: number;
}

export const vaultOperations = {
  auditVerify: defineOp({
    service: 'audit',
    name: 'verify',
    summary: 'Check the audit chain, its anchor beside the vault, and that the records match it; list entries recorded as lost.',
    input: z.object({}),
    output: out<{ valid: true; entries: number; head: string; losses: AuditLoss[] }>(),
    mutates: false,
    audit: {},
    validation: LOCAL_VALIDATION,
  }),
  auditListEvents: defineOp({
    service: 'audit',
    name: 'list-events',
    summary: 'List audit entries, newest first.',
    input: z.object({
      limit: pageLimit(1000),
      marker: z.coerce.number().int().min(0).optional().describe('list entries older than this seq'),
      key_id: z.string().optional(),
      operation: z.string().optional(),
    }),
    output: out<{ events: AuditEvent[]; next_marker: number | null }>(),
    mutates: false,
    audit: { record: ['key_id', 'operation'] },
    validation: LOCAL_VALIDATION,
  }),
  vaultShow: defineOp({
    service: 'vault',
    name: 'show',
    summary:
      "The vault's identity: its project_id (what another Keyhold's `remote add --project-id` and SDK clients need; `serve` prints it too) and domain_id.",
    input: z.object({}),
    output: out<{ project_id: string; domain_id: string }>(),
    mutates: false,
    audit: {},
    validation: LOCAL_VALIDATION,
  }),
  vaultVerify: defineOp({
    service: 'vault',
    name: 'verify',
    summary: 'Open and authenticate every sealed record, then verify the audit chain.',
    input: z.object({}),
    output: out<{ valid: true; records: number; entries: number }>(),
    mutates: false,
    audit: {},
    validation: LOCAL_VALIDATION,
  }),
  vaultBackup: defineOp({
    service: 'vault',
    name: 'backup',
    summary: 'Write a consistent copy of the vault to a file, even while it is in use.',
    input: z.object({ out: z.string().min(1).describe('path of the backup file to create') }),
    output: out<{ backup: string; bytes: number }>(),
    mutates: false,
    localFiles: true,
    audit: { record: ['out'] },
    validation: LOCAL_VALIDATION,
  }),
  vaultChangePassword: defineOp({
    service: 'vault',
    name: 'change-password',
    summary: 'Rewrap the root key under a new master password (read from --new-password-file or a prompt).',
    input: z.object({ new_password: z.string().min(1).describe('the new master password') }),
    output: out<{ changed: true; kdf: Record<string, number> }>(),
    mutates: true,
    audit: {},
    validation: LOCAL_VALIDATION,
  }),
} as const;
