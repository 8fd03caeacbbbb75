/**
 * Keeps a file job's memory flat. node:crypto allocates a new buffer for every cipher output,
 * and V8 frees those only when its collector runs, which it schedules by JS heap use plus an
 * allowance of ~64 MB of outside memory. A file job makes almost no JS garbage but up to a
 * gigabyte a second of buffer garbage, so left alone its RSS climbs by that allowance (measured:
 * +33 MB on a bare loop, +60 MB in the pipeline). The buffers of a batch die young, so a minor GC
 * every few batches (pipeline.ts: every 4 MiB of output) frees them, for a fraction of a
 * millisecond.
 *
 * V8 offers no collection call without --expose-gc; the flag is switched on just long enough to
 * take the function from a fresh context, then off again (it only adds that global; collection
 * itself is unchanged). If that is refused the hint is a no-op and memory is merely higher.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let collect: Collect | null | undefined;

function obtain(): Collect | null {
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as Collect) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Frees the buffers of batches already written (a minor GC). */
export function collectYoungGarbage(): void {
  if (collect === undefined) collect = obtain();
  collect?.({ type: 'minor' });
}
