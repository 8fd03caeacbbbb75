/**
 * The types a call is made of — who calls, over what, with which hooks, and the context a
 * handler receives — in a module of their own that imports no implementation, so handlers,
 * the registry, offline calls and the session all depend on it rather than on each other.
 */
import type { AuditLog } from '../audit/log.js';
import type { KmsContext } from '../kms/context.js';
import type { RecordStore } from '../vault/store.js';
import type { Vault } from '../vault/vault.js';

/** `agent`: a CLI call or an ssh signature served by `keyhold agent` (docs/agent.md). */
export type Transport = 'cli' | 'http' | 'ipc' | 'system' | 'agent';

/** Who is calling over HTTP: the access key that signed the request. Absent for local callers. */
export interface Caller {
  access_key: string;
  role: 'owner' | 'grantee';
}

/** What a transport may hand a long operation (file encrypt/decrypt/sign): progress and cancellation. */
export interface CallHooks {
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Each task the call started (KPS bindings), once its outcome is recorded. */
  onTaskEnd?: (t: TaskOutcome) => void;
  /**
   * The transport itself named every file of the input (web mode's staged uploads and
   * downloads, electron/server/ui-files.ts), none came from the request: admission then lets a
   * local-files operation run over HTTP (admission.ts).
   */
  serverNamedFiles?: true;
}

/** How a background task ended: its status and, when it failed, the code and message. */
export interface TaskOutcome {
  task_id: string;
  task_status: string;
  task_error_code?: string;
  task_error_msg?: string;
}

/** What an implementation receives: the KMS context plus the vault and audit for local ops. */
export interface CallContext extends KmsContext {
  vault: Vault;
  audit: AuditLog;
  caller: Caller | null;
  /** Work that outlives the call (KPS binding tasks); see `Background`. */
  background: Background;
  /** Progress and cancellation for long operations (file encrypt/decrypt). */
  hooks: CallHooks;
}

/**
 * What a handler may leave running after it returns: `start` runs once the call has committed
 * (never for a call that failed or rolled back), and `write` is a later change with its own
 * audit entry, so a task's record can move from RUNNING to its outcome.
 */
export interface Background {
  start(work: () => Promise<void>): void;
  /** `outcome` as for calls: `success`, else the failure's code. */
  write(operation: string, fields: Record<string, unknown>, change: (store: RecordStore) => void, outcome?: string): Promise<void>;
}
