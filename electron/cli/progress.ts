/**
 * Hooks the CLI hands long file jobs: a progress bar on stderr when stderr is a terminal (never
 * in pipes or logs, where it would be noise), and Ctrl-C, SIGTERM (kill, systemd, a container
 * stop) and SIGHUP (the terminal closed) turned into cancellation, so the job removes its temp
 * file instead of dying with it half-written.
 */
import type { CallHooks } from '../core/api/index.js';

const WIDTH = 30;
const MIB = 1024 * 1024;
const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function fileJobHooks(stream: NodeJS.WriteStream = process.stderr): { hooks: CallHooks; finish(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  for (const s of CANCEL_SIGNALS) process.once(s, onSignal);
  let drawn = false;
  let lastDraw = 0;
  const onProgress = ({ done, total }: { done: number; total: number }) => {
    const now = Date.now();
    if (!stream.isTTY || (now - lastDraw < 100 && done < total)) return;
    lastDraw = now;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * WIDTH);
    stream.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${(done / MIB).toFixed(1)} / ${(total / MIB).toFixed(1)} MiB`,
    );
    drawn = true;
  };
  return {
    hooks: { signal: controller.signal, onProgress },
    finish() {
      for (const s of CANCEL_SIGNALS) process.removeListener(s, onSignal);
      if (drawn) stream.write('\n');
    },
  };
}
