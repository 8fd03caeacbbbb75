/**
 * The CLI's hook for calls that need no vault (kps inspect, kps convert, windows-password with a
 * key file, file verify with a public key): run them before any vault is opened, so they work
 * with no vault, no password and leave no audit entry (docs/key-formats.md, "No vault needed").
 */
import { runOffline, type RegisteredOperation } from '../core/api/index.js';
import { fileJobHooks } from './progress.js';

/** The call's result when it needed no vault; undefined when the vault must be opened for it. */
export async function runWithoutVault(op: RegisteredOperation, input: Record<string, unknown>): Promise<{ result: unknown } | undefined> {
  if (!op.decl.offline) return undefined;
  const job = op.decl.localFiles ? fileJobHooks() : undefined;
  try {
    return await runOffline(op, input, job?.hooks);
  } finally {
    job?.finish();
  }
}
