/** Runs one registry operation from the command line: flags to input, the vault, the call. */
import { parseInput } from '../../shared/operations/index.js';
import type { RegisteredOperation } from '../core/api/index.js';
import type { CliContext } from './context.js';
import { buildInput } from './input.js';
import { promptNewPassword } from './password.js';
import { fileJobHooks } from './progress.js';
import { callThroughAgent } from './agent/through-agent.js';
import { runWithoutVault } from './offline.js';
import { taskHooks } from './tasks.js';
import { printResult } from './print.js';
import { resultVerdict } from './exit.js';

export async function runOperation(
  ctx: CliContext,
  op: RegisteredOperation,
  input: Record<string, unknown> = buildInput(op.decl, ctx.cmd.flags, ctx.cmd.inputJson, ctx.stdin),
): Promise<unknown> {
  ctx.refuseArgs();
  if (op.decl.service === 'vault' && op.decl.name === 'change-password' && input.new_password === undefined) {
    input.new_password = await promptNewPassword('master password');
  }
  // A missing or malformed field is reported before the vault is opened (or its password asked).
  parseInput(op.decl, input);
  const remote = ctx.cmd.globals.remote;
  // Key tools that read only files the user names run with no vault at all (docs/key-formats.md).
  const offline = remote ? undefined : await runWithoutVault(op, input);
  if (offline) return resultVerdict(offline.result);
  // With an agent serving the vault, the call runs there: no password, no KDF (docs/agent.md).
  const viaAgent = await callThroughAgent(ctx.vaultPath(), { op, input, remote });
  if (viaAgent) return resultVerdict(viaAgent.result);
  // Tasks the call starts (KPS bindings) are waited for before the vault closes; their hooks live until then.
  const tasks = !remote && op.decl.startsTasks ? taskHooks() : undefined;
  try {
    return await ctx.withSession(async (session) => {
      if (remote) return session.callRemote(remote, op.decl.service, op.decl.name, input, 'cli');
      const job = op.decl.localFiles ? fileJobHooks() : undefined;
      let result: unknown;
      try {
        result = await session.run(op, input, 'cli', null, job?.hooks ?? tasks?.hooks);
      } finally {
        job?.finish();
      }
      if (!tasks) return resultVerdict(result);
      // The task id is printed now, while the task runs (a Ctrl-C then cancels it); the vault
      // closes only once it ended.
      printResult(resultVerdict(result), ctx.cmd);
      return undefined;
    });
  } finally {
    tasks?.finish();
  }
}
