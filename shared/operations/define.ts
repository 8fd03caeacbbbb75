/**
 * How an operation is declared: once, here in shared/, with everything the three transports
 * (IPC, HTTP, CLI) and the audit log need to know. The implementation lives in
 * electron/core/<service>/ and is bound to this declaration by name.
 */
import { z } from 'zod';
import { KeyholdError } from '../errors.js';

export type ServiceName = 'kms' | 'csms' | 'kps' | 'file' | 'servers' | 'remote' | 'iam' | 'audit' | 'vault' | 'ssh-agent';

/**
 * Where a call may come from, for admission (electron/core/api/admission.ts): the command line
 * (and `keyhold agent`, which runs the CLI's calls), the desktop app's window, HTTP (`keyhold
 * serve` and web mode) and `--remote` (the call sent to a cloud or another Keyhold).
 */
export type Reach = 'cli' | 'ipc' | 'http' | 'remote';

export interface CloudRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The cloud's path with `{project_id}` and other path parameters, e.g. `/v1.0/{project_id}/kms/create-key`. */
  path: string;
  /** Success status when it is not 200 (204 for tag deletes, 202 for KPS associate). */
  status?: number;
}

export interface AuditPolicy {
  /** Input field naming the key the operation acts on; recorded as the entry's key id. */
  keyIdField?: string;
  /**
   * Input fields safe to record (aliases, specs, states). Every field not listed here is
   * redacted: plaintext, passwords and key material can never reach the log by omission.
   */
  record?: readonly string[];
}

/** A phantom carrying the output type; it has no runtime content. */
export interface Output<T> {
  readonly __output?: T;
}
/** A page size the caller may give (a query string arrives as text): 1 … `max`, else `fallback`. */
export function pageLimit(max: number, fallback = 50) {
  return z.coerce.number().int().min(1).max(max).default(fallback);
}

export function out<T>(): Output<T> {
  return {};
}

export interface ValidationCodes {
  /** Code for a missing required field (KMS.0204 for KMS). */
  missing: string;
  /** Code for a present but invalid field, unless `fields` names a more specific one. */
  invalid: string;
  fields?: Readonly<Record<string, string>>;
}

export interface OperationDecl<I extends z.ZodObject = z.ZodObject, O = unknown> {
  service: ServiceName;
  name: string;
  /** Other names the operation answers to (the SDK method names, reference §11). */
  aliases?: readonly string[];
  summary: string;
  input: I;
  output: Output<O>;
  /** Absent for local-only operations with no cloud twin. */
  route?: CloudRoute;
  mutates: boolean;
  /**
   * Reads or writes files by path (kps convert, file encrypt, vault backup): offered to the CLI
   * and the desktop app, never over HTTP, where a path would name the server's files.
   */
  localFiles?: boolean;
  /**
   * Input fields that name local files on an operation that otherwise has a cloud route
   * (export-private-key --out): refused over HTTP and with --remote, for the same reason.
   */
  localFileFields?: readonly string[];
  /**
   * Where the operation may run, when narrower than what `route` and `localFiles` imply (every
   * reach, less HTTP for local files, less `remote` without a cloud route): access keys say
   * `['cli', 'ipc']`. Admission (electron/core/api/admission.ts) takes the intersection.
   */
  reach?: readonly Reach[];
  /**
   * True when this input needs no vault: the call reads only files the user names (kps inspect,
   * windows-password with a key file, file verify with a public key). Such a call runs without
   * opening, unlocking or auditing a vault, whichever transport carries it (api/offline.ts);
   * an input naming a hosted key pair or a CMK returns false and goes through the vault.
   */
  offline?: (input: z.infer<I>) => boolean;
  /**
   * The call starts tasks that outlive it (KPS bindings). A transport that waits for them (the
   * CLI) passes CallHooks: its signal cancels them, `onTaskEnd` hears each one's outcome.
   */
  startsTasks?: boolean;
  audit: AuditPolicy;
  validation: ValidationCodes;
  /**
   * For calls that must not overlap on one vault, across processes: the key two such calls
   * share (null when this call needs no claim) and how the refusal names the one running. A
   * second call with the same key is refused with VAULT.0507 while the first runs.
   */
  exclusive?: (input: z.infer<I>) => { key: string; what: string } | null;
}

export function defineOp<I extends z.ZodObject, O>(decl: OperationDecl<I, O>): OperationDecl<I, O> {
  return decl;
}

export type InputOf<D> = D extends OperationDecl<infer I, unknown> ? z.infer<I> : never;
export type OutputOf<D> = D extends OperationDecl<z.ZodObject, infer O> ? O : never;

/** Whether the value at `path` in `raw` was never given (absent or null), whatever zod's issue code (an enum says invalid_value). */
function isAbsent(raw: unknown, path: readonly PropertyKey[]): boolean {
  if (!path.length) return false;
  let v: unknown = raw ?? {};
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !(k in v)) return true;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v === undefined || v === null;
}

/**
 * Validates `raw` against the declaration. The first problem becomes a KeyholdError naming the
 * field, with the service's code for it; nothing is echoed back that could be a secret.
 */
export function parseInput<I extends z.ZodObject>(decl: OperationDecl<I, unknown>, raw: unknown): z.infer<I> {
  const result = decl.input.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new KeyholdError(decl.validation.invalid, 'Invalid request body.', 400);
  const field = issue.path.map(String).join('.') || 'body';
  const top = String(issue.path[0] ?? '');
  const missing = isAbsent(raw, issue.path);
  if (missing) throw new KeyholdError(decl.validation.missing, `Missing parameter: ${field} is required.`, 400);
  const code = decl.validation.fields?.[top] ?? decl.validation.invalid;
  throw new KeyholdError(code, `Invalid parameter ${field}: ${issue.message}.`, 400);
}

/** The implementations of a set of declarations, each taking the service's context. */
export type Handlers<D extends Record<string, OperationDecl>, C> = {
  [K in keyof D]: (ctx: C, input: InputOf<D[K]>) => Promise<OutputOf<D[K]>> | OutputOf<D[K]>;
};
