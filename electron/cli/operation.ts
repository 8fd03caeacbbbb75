/** Runs one registry operation from the command line: flags to input, the vault, the call. */
import { parseInput } from '../../shared/operations/index.js';
import type { RegisteredOperation } from '../core/api/index.js';
import type { CliContext } from './context.js';
import { buildInput } from './input.js';
import { promptNewPassword } from './password.js';
import { fileJobHooks } from './progress.js';
import { callThroughAgent } from './agent/through-agent.js';

export async function runOperation(ctx: CliContext, op: RegisteredOperation, input: Record<string, unknown> = buildInput(op.decl, ctx.cmd.flags, ctx.cmd.inputJson, ctx.stdin)): Promise<unknown> {
  ctx.refuseArgs();
  if (op.decl.service === 'vault' && op.decl.name === 'change-password' && input.new_password === undefined) {
    input.new_password = await promptNewPassword('master password');
  }
  // A missing or malformed field is reported before the vault is opened (or its password asked).
  parseInput(op.decl, input);
  const remote = ctx.cmd.globals.remote;
  // With an agent serving the vault, the call runs there: no password, no KDF (docs/agent.md).
  const viaAgent = await callThroughAgent(ctx.vaultPath(), { op, input, remote });
  if (viaAgent) return signatureVerdict(viaAgent.result);
  return ctx.withSession(async (session) => {
    if (remote) return session.callRemote(remote, op.decl.service, op.decl.name, input, 'cli');
    const job = op.decl.localFiles ? fileJobHooks() : undefined;
    let result: unknown;
    try {
      result = await session.run(op, input, 'cli', null, job?.hooks);
    } finally {
      job?.finish();
    }
    return signatureVerdict(result);
  });
}

/** `file verify` reports a bad signature as a result, not an error (DESIGN §8): exit 1. */
function signatureVerdict(result: unknown): unknown {
  if ((result as { signature_valid?: unknown } | null)?.signature_valid === false) process.exitCode = 1;
  return result;
}
