/**
 * The operation registry: every service's module (its declarations from shared/ bound to their
 * implementations, with its due work, default key and caller policy) gathered once. The
 * transports look operations up here by service and name (or alias), or by key; none of them
 * knows any operation by name. Adding an operation touches its declaration and its service
 * only; a new service adds its module to `SERVICE_MODULES`.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { DefaultKeyService } from '../../../shared/constants.js';
import {
  operations,
  phasesOf,
  type DuePlan,
  type NetworkFirst,
  type OperationDecl,
  type ServiceModule,
  type ServiceName,
} from '../../../shared/operations/index.js';
import { fileModule } from '../envelope/module.js';
import { iamModule } from '../iam/module.js';
import { kpsBindingModule } from '../keypairs/binding/module.js';
import { sshAgentModule } from '../keypairs/agent/module.js';
import { kpsModule } from '../keypairs/module.js';
import { kmsModule } from '../kms/module.js';
import { remoteModule } from '../remote/module.js';
import { csmsModule } from '../secrets/module.js';
import { serversModule } from '../servers/module.js';
import { vaultModule } from './local-handlers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler is checked against its declaration where its module is defined (serviceModule)
export type AnyHandler = (ctx: any, input: any) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as for AnyHandler: a module is typed where it is defined
export type AnyModule = ServiceModule<Record<string, OperationDecl>, any>;

export interface RegisteredOperation {
  key: string;
  decl: OperationDecl;
  handler: AnyHandler;
  /**
   * Set when the implementation is network-first (shared/operations/phases.ts): the session runs
   * `network` outside the write transaction and `commit` inside it, instead of `handler`.
   */
  phases?: NetworkFirst<unknown, unknown, unknown, unknown>;
  /** The service's default key, created before the operation first runs. */
  defaultKey?: DefaultKeyService;
  /** True when a grantee access key may call it (its module's caller policy); absent: it may not. */
  granteeMay?: true;
}

/** Every service; their due work runs in this order (KMS first: secret rotations then use whatever state their CMKs are left in). */
export const SERVICE_MODULES: readonly AnyModule[] = [
  kmsModule,
  csmsModule,
  vaultModule,
  iamModule,
  remoteModule,
  kpsModule,
  serversModule,
  kpsBindingModule,
  fileModule,
  sshAgentModule,
];

export interface Registry {
  byName: Map<string, RegisteredOperation>;
  byKey: Map<string, RegisteredOperation>;
}

/**
 * Binds the modules' operations. Two modules declaring one key, or one name of a service, is a
 * build error here rather than a silent overwrite; so is a declaration in shared/ that no module
 * implements (`expected`, the declarations every process knows).
 */
export function buildRegistry(modules: readonly AnyModule[], expected: Record<string, OperationDecl> = operations): Registry {
  const byKey = new Map<string, RegisteredOperation>();
  const byName = new Map<string, RegisteredOperation>();
  for (const m of modules) {
    const grantee = new Set(m.callerPolicy?.granteeMay ?? []);
    for (const [key, decl] of Object.entries(m.declarations)) {
      if (byKey.has(key)) throw new KeyholdError(LocalErrors.Internal, `Operation key ${key} is declared by two services.`, 500);
      const handler = (m.handlers as Record<string, AnyHandler>)[key];
      if (!handler) throw new KeyholdError(LocalErrors.Internal, `Operation ${key} has no implementation.`, 500);
      const phases = phasesOf(handler);
      const entry: RegisteredOperation = {
        key,
        decl,
        handler,
        ...(grantee.has(decl.name) ? { granteeMay: true as const } : {}),
        ...(phases ? { phases } : {}),
        ...(m.defaultKey ? { defaultKey: m.defaultKey } : {}),
      };
      byKey.set(key, entry);
      for (const name of [decl.name, ...(decl.aliases ?? [])]) {
        const at = `${decl.service} ${name}`;
        if (byName.has(at)) throw new KeyholdError(LocalErrors.Internal, `Operation name ${at} is declared twice.`, 500);
        byName.set(at, entry);
      }
    }
  }
  const missing = Object.keys(expected).filter((k) => !byKey.has(k));
  if (missing.length) throw new KeyholdError(LocalErrors.Internal, `Operations declared in shared/ but in no service module: ${missing.join(', ')}.`, 500);
  return { byName, byKey };
}

const registry = buildRegistry(SERVICE_MODULES);

export function findOperation(service: string, name: string): RegisteredOperation | undefined {
  return registry.byName.get(`${service} ${name}`);
}

/** The operation under its declaration key (`createKey`), as the renderer and `invoke` name it. */
export function operationByKey(key: string): RegisteredOperation | undefined {
  return registry.byKey.get(key);
}

export function listOperations(): RegisteredOperation[] {
  return [...registry.byKey.values()];
}

export function services(): ServiceName[] {
  return [...new Set(listOperations().map((o) => o.decl.service))];
}

/** What any service's caller policy lets a grantee call, for the refusal's message. */
export const GRANTEE_OPERATIONS: readonly string[] = SERVICE_MODULES.flatMap((m) => m.callerPolicy?.granteeMay ?? []);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the session's context is every service's (CallContext)
export type DueProducer = { service: string; dueTasks: (ctx: any) => DuePlan<any> };

/** The services with work that falls due with time, in the order it runs. */
export const DUE_PRODUCERS: readonly DueProducer[] = SERVICE_MODULES.flatMap((m) => {
  const first = Object.values(m.declarations)[0];
  return m.dueTasks && first ? [{ service: first.service, dueTasks: m.dueTasks }] : [];
});
