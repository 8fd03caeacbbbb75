/** How a `keyhold` run ends, shared by the fast path and the full CLI: errors, exit codes, a closed stdout. */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';

/** A reader that closed the pipe (`keyhold ops | head -1`) has all it wants: end quietly, status 0. */
export function quietOnClosedStdout(): void {
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

/** Prints the cloud-shaped error on stderr; the exit code: 2 for the caller's mistakes, 1 otherwise. */
export function fail(e: unknown): number {
  const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
  process.stderr.write(`${JSON.stringify(err.toWire())}\n`);
  if (process.env.KEYHOLD_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  return err.isClientError ? 2 : 1;
}

/**
 * Results that say "no" exit 1 though they are not errors: `file verify` of a bad signature
 * (DESIGN §8), and a `remote sync` that left anything unsynced, `complete: false` (docs/sync.md).
 */
export function resultVerdict(result: unknown): unknown {
  const r = result as { signature_valid?: unknown; complete?: unknown } | null;
  if (r?.signature_valid === false || r?.complete === false) process.exitCode = 1;
  return result;
}
