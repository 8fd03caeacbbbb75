/**
 * The `keyhold` command line: a thin adapter over the operation registry (DESIGN §8). Results on
 * stdout in the --output format; the cloud-shaped error on stderr; exit 2 for the caller's
 * mistakes, 1 otherwise. Commands other than `SERVICE OPERATION` live in the table of
 * commands.ts; this file only dispatches.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { findOperation } from '../core/api/index.js';
import { parseArgs, type ParsedCommand } from './args.js';
import { findCommand, helpFor, RawText } from './commands.js';
import { CliContext } from './context.js';
import { runOperation } from './operation.js';
import { checkQuery } from './output.js';
import { printResult } from './print.js';
import { keyholdVersion } from './version.js';

/** A reader that closed the pipe (`keyhold ops | head -1`) has all it wants: end quietly, status 0. */
function quietOnClosedStdout(): void {
  const closed = (e: NodeJS.ErrnoException) => e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (!closed(e)) throw e;
    process.exit(process.exitCode ?? 0);
  });
  // A closed stderr (`2>&1 | head -1`) loses the message, never the run.
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (!closed(e)) throw e;
  });
}

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


function fail(e: unknown): number {
  const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
  process.stderr.write(`${JSON.stringify(err.toWire())}\n`);
  if (process.env.KEYHOLD_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  return err.isClientError ? 2 : 1;
}

// `npm run keyhold` runs in the project root; relative paths (--in, --out, --vault) mean the
// directory the user typed the command in, which npm passes as INIT_CWD.
if (process.env.npm_lifecycle_event === 'keyhold' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

quietOnClosedStdout();
try {
  const cmd = parseArgs(process.argv.slice(2));
  printResult(await run(cmd), cmd);
} catch (e) {
  process.exitCode = fail(e);
}
