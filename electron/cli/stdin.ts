/**
 * Standard input, which one command may read once: by --password-stdin, by a `--<field>-file -`
 * (or /dev/stdin), or by `--input-json @-`. A second reader would find it empty and fail in a
 * misleading way (a "wrong password"), so the second claim is refused, naming both readers.
 */
import { fstatSync, readSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';

const STDIN_NAMES = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** Reads fd 0 to its end without making Node's process.stdin stream (which a later prompt needs). */
function readFd0(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      // A pipe the parent left non-blocking: wait for data instead of failing.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw new KeyholdError(LocalErrors.BadArgument, `Cannot read stdin (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 400);
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

export class Stdin {
  private claimedBy: string | undefined;

  constructor(private readonly read: () => Buffer = readFd0) {}

  /** Whether `path` names this process's stdin: `-`, /dev/stdin and its aliases, or the same pipe. */
  static names(path: string): boolean {
    if (STDIN_NAMES.has(path)) return true;
    try {
      const own = fstatSync(0);
      if (!own.isFIFO() && !own.isSocket()) return false;
      const other = statSync(path);
      return other.dev === own.dev && other.ino === own.ino;
    } catch {
      return false;
    }
  }

  /** Reads all of stdin as text for `by` (e.g. `--password-stdin`), dropping one trailing newline. */
  text(by: string): string {
    if (this.claimedBy !== undefined) {
      throw new KeyholdError(
        LocalErrors.BadArgument,
        `Standard input is used twice: by ${this.claimedBy} and by ${by}. Only one option can read stdin; give the other a file or a value.`,
        400,
      );
    }
    this.claimedBy = by;
    return this.read()
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
}

export function stdinIsTerminal(): boolean {
  return isatty(0);
}
