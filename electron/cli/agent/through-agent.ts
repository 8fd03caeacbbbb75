/**
 * The CLI's one hook into the agent: when an agent serves the vault ($KEYHOLD_AGENT_SOCK, or
 * the vault's default socket), the call goes there instead of unlocking the vault here. The
 * agent runs the same operation with the same input, so output, errors and exit codes are the
 * same; only the password and the KDF are skipped. File jobs stream in the agent from and to
 * the caller's paths, with progress and Ctrl-C carried over the connection.
 */
import type { OperationDecl } from '../../../shared/operations/index.js';
import { fileJobHooks } from '../progress.js';
import { awaitResult, findAgent, type AgentConnection } from '../../agent/client.js';

export type AgentCall = { op: { decl: OperationDecl }; input: Record<string, unknown>; remote?: string } | { device: 'remember' | 'forget' };

/**
 * The call's result from the agent serving `vault`; undefined when no agent serves it. `agent`:
 * one already found and greeted (the fast path, fast-path.ts).
 */
export async function callThroughAgent(vault: string, call: AgentCall, agent?: { conn: AgentConnection }): Promise<{ result: unknown } | undefined> {
  const found = agent ?? (await findAgent(vault));
  if (!found) return undefined;
  const { conn } = found;
  if ('device' in call) {
    conn.send({ control: call.device });
    try {
      return { result: await awaitResult(conn) };
    } finally {
      conn.close();
    }
  }
  const { op, input, remote } = call;
  const job = op.decl.localFiles ? fileJobHooks() : undefined;
  const onAbort = () => conn.send({ abort: true });
  job?.hooks.signal?.addEventListener('abort', onAbort);
  conn.send({ call: { service: op.decl.service, operation: op.decl.name, input, ...(remote ? { remote } : {}), cwd: process.cwd(), progress: Boolean(job) } });
  try {
    return { result: await awaitResult(conn, job?.hooks.onProgress) };
  } finally {
    job?.hooks.signal?.removeEventListener('abort', onAbort);
    job?.finish();
    conn.close();
  }
}
