/**
 * The full `keyhold` command line: a thin adapter over the operation registry (DESIGN §8).
 * Results on stdout in the --output format; the cloud-shaped error on stderr; exit 2 for the
 * caller's mistakes, 1 otherwise. Commands other than `SERVICE OPERATION` live in the table of
 * commands.ts; this file only dispatches. main.ts loads it when the fast path does not answer.
 */
import { findOperation } from '../core/api/index.js';
import { parseArgs, type ParsedCommand } from './args.js';
import { findCommand, helpFor, RawText } from './commands.js';
import { CliContext } from './context.js';
import { fail } from './exit.js';
import { runOperation } from './operation.js';
import { checkQuery } from './output.js';
import { printResult } from './print.js';
import { keyholdVersion } from './version.js';

async function run(cmd: ParsedCommand): Promise<unknown> {
  if (cmd.globals.version) return new RawText(`keyhold ${keyholdVersion()} (node ${process.version})\n`);
  if (cmd.globals.query !== undefined) checkQuery(cmd.globals.query);
  if (cmd.globals.help || cmd.words.length === 0) return helpFor(cmd.words, cmd.globals.output === 'json');
  const [service, name, ...extra] = cmd.words as [string, ...string[]];
  const op = name === undefined ? undefined : findOperation(service, name);
  // By its canonical words, so an alias (an SDK method name) reaches a command wrapping the operation too.
  const found = findCommand(op ? [op.decl.service, op.decl.name, ...extra] : cmd.words);
  if (found) return found.command.run(new CliContext(cmd, found.rest, found.command.options));
  if (!op) return helpFor(cmd.words, false); // a service's help, or the unknown service or operation named
  return runOperation(new CliContext(cmd, extra), op);
}

/** Runs the command line `argv` to its end; the exit code is left in process.exitCode. */
export async function runFullCli(argv: readonly string[]): Promise<void> {
  try {
    const cmd = parseArgs(argv);
    printResult(await run(cmd), cmd);
  } catch (e) {
    process.exitCode = fail(e);
  }
}
