/**
 * The operation registry: every declaration from shared/ bound to its implementation. The
 * transports look operations up here by service and name (or alias); none of them knows any
 * operation by name. Adding an operation touches its declaration and its service file only.
 */
import { operations, phasesOf, type NetworkFirst, type OperationDecl, type ServiceName } from '../../../shared/operations/index.js';
import { iamHandlers } from '../iam/access-keys.js';
import { fileHandlers } from '../envelope/service.js';
import { kmsHandlers } from '../kms/service.js';
import { kpsBindingHandlers } from '../keypairs/binding/service.js';
import { kpsHandlers } from '../keypairs/service.js';
import { remoteHandlers } from '../remote/remotes.js';
import { csmsHandlers } from '../secrets/service.js';
import { serversHandlers } from '../servers/inventory.js';
import { sshAgentHandlers } from '../keypairs/agent/service.js';
import { localHandlers } from './local-handlers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler is checked against its declaration where it is defined (Handlers<>)
export type AnyHandler = (ctx: any, input: any) => unknown;

export interface RegisteredOperation {
  key: string;
  decl: OperationDecl;
  handler: AnyHandler;
  /**
   * Set when the implementation is network-first (shared/operations/phases.ts): the session runs
   * `network` outside the write transaction and `commit` inside it, instead of `handler`.
   */
  phases?: NetworkFirst<unknown, unknown, unknown, unknown>;
}

const implementations: Record<keyof typeof operations, AnyHandler> = {
  ...kmsHandlers,
  ...csmsHandlers,
  ...localHandlers,
  ...iamHandlers,
  ...remoteHandlers,
  ...kpsHandlers,
  ...serversHandlers,
  ...kpsBindingHandlers,
  ...fileHandlers,
  ...sshAgentHandlers,
};

const byName = new Map<string, RegisteredOperation>();
for (const [key, decl] of Object.entries(operations) as [keyof typeof operations, OperationDecl][]) {
  const handler = implementations[key];
  const phases = phasesOf(handler);
  const entry: RegisteredOperation = { key, decl, handler, ...(phases ? { phases } : {}) };
  for (const name of [decl.name, ...(decl.aliases ?? [])]) byName.set(`${decl.service} ${name}`, entry);
}

export function findOperation(service: string, name: string): RegisteredOperation | undefined {
  return byName.get(`${service} ${name}`);
}

export function listOperations(): RegisteredOperation[] {
  return [...new Set(byName.values())];
}

export function services(): ServiceName[] {
  return [...new Set(listOperations().map((o) => o.decl.service))];
}

