/**
 * What a service hands the registry (electron/core/api/registry.ts): its declarations and their
 * implementations, and — where it has them — the work that falls due with time, the default
 * key its operations use and what a grantee access key may call. Domain policy stays with the
 * service that owns it; the dispatcher only reads it from here.
 */
import type { DefaultKeyService } from '../constants.js';
import type { Handlers, OperationDecl } from './define.js';

/**
 * One piece of work that came due (a key's scheduled deletion, a secret's rotation). The session
 * runs each as its own audited system transaction; it re-reads what it acts on and re-checks
 * that it is still due (two processes opening the vault at once do it once).
 */
export interface DueTask<C> {
  /** The audit entry's operation, e.g. `kms destroy-key`, `csms auto-rotate-secret`. */
  operation: string;
  /** The key the entry names, if any. */
  key_id: string | null;
  /** Fields safe for the audit entry (names and ids only). */
  fields: Record<string, string>;
  /** Does the work inside the transaction; the audit outcome (`success` when nothing is said). */
  run(ctx: C): Promise<string | void> | string | void;
}

/** A due record that does not open: reported (once a session) and skipped, never fatal. */
export interface DueDamage {
  table: string;
  id: string;
  code: string;
}

/** What a service finds due at `ctx.now()`, from its own due index. */
export interface DuePlan<C> {
  tasks: DueTask<C>[];
  damaged: DueDamage[];
}

/** Who besides the vault's owner may call the service: a grantee access key, these operations only. */
export interface CallerPolicy {
  granteeMay: readonly string[];
}

export interface ServiceModule<D extends Record<string, OperationDecl>, C> {
  declarations: D;
  handlers: Handlers<D, C>;
  /** The work due now; the session runs it when the vault opens and on its timer. */
  dueTasks?: (ctx: C) => DuePlan<C>;
  /** The service's default key (`kms/default` …), created before its first operation. */
  defaultKey?: DefaultKeyService;
  /** Absent: a grantee access key may call none of its operations. */
  callerPolicy?: CallerPolicy;
}

/** Checks a module against its declarations at compile time (a missing handler fails tsc). */
export function serviceModule<D extends Record<string, OperationDecl>, C>(m: ServiceModule<D, C>): ServiceModule<D, C> {
  return m;
}
