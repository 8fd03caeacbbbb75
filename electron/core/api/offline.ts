/**
 * Calls that need no vault (the declaration's `offline`, shared/operations/define.ts): key tools
 * that read only files the user names. They run here with no vault opened, no password asked
 * and no audit entry written — puttygen, ssh-keygen and openssl need no state for the same
 * work — whether a transport has a session (Session.run sends them here) or not (the CLI tries
 * this before it opens the vault).
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { parseInput } from '../../../shared/operations/index.js';
import type { RegisteredOperation } from './registry.js';
import type { CallHooks } from './call.js';

/** True when `input` (already validated) makes this call one that needs no vault. */
export function isOffline(op: RegisteredOperation, input: Record<string, unknown>): boolean {
  return op.decl.offline?.(input as never) === true;
}

/**
 * The context an offline handler gets: its hooks and the clock. Anything else it reaches for
 * (store, HSM, vault) is a declaration that lies about needing no vault: a loud internal error,
 * never a silent vault access.
 */
function offlineContext(op: RegisteredOperation, hooks: CallHooks): object {
  const given: Record<string, unknown> = { hooks, now: Date.now, caller: null, operation: op.decl.name };
  return new Proxy(given, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in target) return target[prop];
      if (prop === 'then') return undefined;
      throw new KeyholdError(LocalErrors.Internal, `${op.decl.service} ${op.decl.name} is declared offline but used the vault (${String(prop)}).`, 500);
    },
  });
}

/** Runs a validated offline call. */
export async function runValidatedOffline(op: RegisteredOperation, input: Record<string, unknown>, hooks: CallHooks = {}): Promise<unknown> {
  return op.handler(offlineContext(op, hooks), input);
}

/**
 * Validates `rawInput` and, when the call needs no vault, runs it: `{ result }`. Undefined when
 * the call needs the vault (the caller opens it then). Validation errors are thrown as usual.
 */
export async function runOffline(op: RegisteredOperation, rawInput: unknown, hooks: CallHooks = {}): Promise<{ result: unknown } | undefined> {
  if (!op.decl.offline) return undefined;
  const input = parseInput(op.decl, rawInput) as Record<string, unknown>;
  if (!isOffline(op, input)) return undefined;
  return { result: await runValidatedOffline(op, input, hooks) };
}
