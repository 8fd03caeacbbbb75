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
import { applyQuery, checkQuery, formatOutput } from './output.js';
import { keyholdVersion } from './version.js';

/** A reader that closed the pipe (`keyhold ops | head -1`) has all it wants: end quietly, status 0. */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

async function run(cmd: ParsedCommand): Promise<unknown> {
  if (cmd.globals.version) return new RawText(`keyhold ${keyholdVersion()} (node ${process.version})\n`);
  if (cmd.globals.query !== undefined) checkQuery(cmd.globals.query);
  if (cmd.globals.help || cmd.words.length === 0) return helpFor(cmd.words, cmd.globals.output === 'json');
  const found = findCommand(cmd.words);
  if (found) return found.command.run(new CliContext(cmd, found.rest));
  const [service, name, ...extra] = cmd.words as [string, ...string[]];
  if (name === undefined) return helpFor(cmd.words, false);
  const op = findOperation(service, name);
  if (!op) return helpFor(cmd.words, false); // names the unknown service or operation
  return runOperation(new CliContext(cmd, extra), op);
}

function print(result: unknown, { globals }: ParsedCommand): void {
  if (result === undefined) return;
  if (result instanceof RawText) {
    process.stdout.write(result.text);
    return;
  }
  process.stdout.write(formatOutput(applyQuery(result, globals.query), globals.output ?? 'json'));
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
  print(await run(cmd), cmd);
} catch (e) {
  process.exitCode = fail(e);
}
