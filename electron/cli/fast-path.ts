/**
 * The CLI's fast path (docs/agent.md): a plain `SERVICE OPERATION` call on a vault an agent
 * serves goes to the agent before the core (SQLite, Argon2, every service) is loaded, so such a
 * call costs a Node.js start and a socket round trip. It takes only what it can answer exactly
 * as the full CLI would; anything else — help, the CLI's own commands, an alias, an operation
 * that may run without a vault, stdin passwords, a bad command line, no agent — is left to the
 * full CLI untouched (nothing read from stdin, nothing printed). Once an agent has answered the
 * hello, or its socket was refused (another user's, not an agent), the call is this path's:
 * input errors, results, refusals and exit codes are printed as the full CLI prints them, in the
 * same order, by the same functions.
 */
import { resolve } from 'node:path';
import { operations, parseInput, type OperationDecl } from '../../shared/operations/index.js';
import { findAgent } from '../agent/client.js';
import { defaultVaultPath } from '../agent/paths.js';
import { callThroughAgent } from './agent/through-agent.js';
import { parseArgs, type ParsedCommand } from './args.js';
import { isCliCommand } from './command-words.js';
import { fail, resultVerdict } from './exit.js';
import { buildInput } from './input.js';
import { checkQuery } from './output.js';
import { printResult } from './print.js';
import { Stdin } from './stdin.js';

/** The declaration named by its canonical words only (aliases are the full CLI's). */
function declFor(service: string, name: string): OperationDecl | undefined {
  return Object.values(operations).find((d) => d.service === service && d.name === name) as OperationDecl | undefined;
}

/** The command, if the fast path may take it: an operation the agent runs as the full CLI would send it. */
function eligible(argv: readonly string[]): { cmd: ParsedCommand; decl: OperationDecl } | undefined {
  let cmd: ParsedCommand;
  try {
    cmd = parseArgs(argv);
    if (cmd.globals.query !== undefined) checkQuery(cmd.globals.query);
  } catch {
    return undefined;
  }
  const { globals, words } = cmd;
  if (globals.version || globals.help || globals.passwordStdin || words.length !== 2 || isCliCommand(words)) return undefined;
  const decl = declFor(words[0] as string, words[1] as string);
  // Operations that may run with no vault, and change-password's prompt, stay in the full CLI.
  if (!decl || decl.offline || (decl.service === 'vault' && decl.name === 'change-password')) return undefined;
  return { cmd, decl };
}

/** Runs the call through an agent if it can; false: nothing was done, the full CLI takes over. */
export async function runThroughAgentFast(argv: readonly string[]): Promise<boolean> {
  const taken = eligible(argv);
  if (!taken) return false;
  const { cmd, decl } = taken;
  const vault = resolve(cmd.globals.vault ?? process.env.KEYHOLD_VAULT ?? defaultVaultPath());
  let agent: Awaited<ReturnType<typeof findAgent>>;
  try {
    agent = await findAgent(vault);
  } catch (refused) {
    // A refused socket (another user's, not an agent): the full CLI would report the input's
    // errors first, then this refusal, and run nothing; so does this path, without asking twice.
    process.exitCode = fail(inputError(decl, cmd) ?? refused);
    return true;
  }
  if (!agent) return false;
  try {
    const input = buildInput(decl, cmd.flags, cmd.inputJson, new Stdin());
    parseInput(decl, input);
    const remote = cmd.globals.remote;
    const answered = await callThroughAgent(vault, { op: { decl }, input, ...(remote ? { remote } : {}) }, agent);
    printResult(resultVerdict(answered?.result), cmd);
  } catch (e) {
    agent.conn.close();
    process.exitCode = fail(e);
  }
  return true;
}

function inputError(decl: OperationDecl, cmd: ParsedCommand): unknown {
  try {
    parseInput(decl, buildInput(decl, cmd.flags, cmd.inputJson, new Stdin()));
    return undefined;
  } catch (e) {
    return e;
  }
}
