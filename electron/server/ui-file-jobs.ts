/**
 * What web mode's file endpoint reads from a request's headers before its body
 * (docs/server.md, "Files in web mode"): the jobs and the fields each takes, the CSRF guard for
 * a raw upload, the job's fields from `x-keyhold-input` (a path field refused by name), and the
 * declared size against the upload bound.
 */
import type { IncomingMessage } from 'node:http';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import type { OperationKey } from '../../shared/operations/index.js';
import { UI_HEADER, UI_INPUT_HEADER, type UiFileJob } from '../../shared/ui/contract.js';
import { IPC_PATH_FIELDS } from '../ui/path-tokens.js';
import { UiErrors } from './errors.js';

export interface JobSpec {
  /** The registry operation, or none (restore is the workspace's). */
  op: OperationKey | null;
  /** Fields the browser may give; anything else is refused. */
  fields: readonly string[];
  /** Whether the request body is the file. */
  upload: boolean;
  /** Whether the job's output is offered as a download. */
  download: boolean;
  /**
   * Whether the job takes the current master password again (checked under the login throttle
   * before any body byte is read): a backup is the whole vault, whose password a cookie thief
   * could then guess offline, and a restore replaces it.
   */
  reauthenticated: boolean;
}

export const JOBS: Readonly<Record<UiFileJob, JobSpec>> = {
  encrypt: {
    op: 'fileEncrypt',
    fields: ['key_id', 'additional_key_ids', 'remote_keys', 'encryption_context', 'frame_size'],
    upload: true,
    download: true,
    reauthenticated: false,
  },
  decrypt: { op: 'fileDecrypt', fields: ['encryption_context'], upload: true, download: true, reauthenticated: false },
  sign: { op: 'fileSign', fields: ['key_id', 'signing_algorithm'], upload: true, download: true, reauthenticated: false },
  // The signature record is small (64 KiB at most, signature.ts) and travels as text.
  verify: { op: 'fileVerify', fields: ['signature_record'], upload: true, download: false, reauthenticated: false },
  backup: { op: 'vaultBackup', fields: ['current_password'], upload: false, download: true, reauthenticated: true },
  restore: { op: null, fields: ['current_password', 'backup_password'], upload: true, download: false, reauthenticated: true },
};

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/** Why an upload is refused by the CSRF guard, or null: as the JSON endpoint's, with a raw body. */
export function uploadCsrfProblem(req: IncomingMessage, scheme: 'http' | 'https'): string | null {
  if (req.method !== 'POST') return 'File jobs are POST requests.';
  if (req.headers[UI_HEADER] !== '1') return `The ${UI_HEADER} header is missing.`;
  const origin = req.headers.origin;
  if (!origin || origin !== `${scheme}://${req.headers.host}`) return 'The request does not come from this page.';
  if (String(req.headers['content-type'] ?? '') !== 'application/octet-stream') return 'A file is sent as application/octet-stream.';
  return null;
}

/** The job's fields from its header: a JSON object holding only the fields the job takes. */
export function jobFields(job: UiFileJob, header: string | string[] | undefined): Record<string, unknown> {
  const spec = JOBS[job];
  if (header === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(decodeURIComponent(String(header)));
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KeyholdError(LocalErrors.BadArgument, `The ${UI_INPUT_HEADER} header is not percent-encoded JSON of an object.`, 400);
  }
  const pathFields = spec.op ? Object.keys(IPC_PATH_FIELDS[spec.op] ?? {}) : [];
  for (const name of Object.keys(value)) {
    if (pathFields.includes(name)) {
      throw new KeyholdError(
        LocalErrors.BadArgument,
        `Invalid parameter ${name}: it names a file by path, which is never accepted over HTTP; the file travels as the request body.`,
        400,
      );
    }
    if (!spec.fields.includes(name)) throw new KeyholdError(LocalErrors.BadArgument, `Invalid parameter ${name}: not a field of the ${job} job.`, 400);
  }
  return value as Record<string, unknown>;
}

/** The body's declared size (its Content-Length header), refused above the bound before any of it is read. */
export function declaredSize(job: UiFileJob, header: string | undefined, limit: number): number {
  const spec = JOBS[job];
  if (!spec.upload) {
    if (header !== undefined && header !== '0') throw new KeyholdError(LocalErrors.BadArgument, 'This job takes no file.', 400);
    return 0;
  }
  if (header === undefined || !/^\d{1,16}$/.test(header))
    throw new KeyholdError(UiErrors.LengthRequired, 'Send the file with a Content-Length (no chunked upload).', 411);
  const size = Number(header);
  if (size > limit) {
    throw new KeyholdError(
      UiErrors.TooLarge,
      `The file is ${mib(size)}; web mode takes files up to ${mib(limit)}. Use the desktop app or the command line (keyhold file …) for larger files.`,
      413,
    );
  }
  return size;
}
