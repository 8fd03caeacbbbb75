/**
 * The CLI's hook for calls that start background tasks (KPS bindings; the declaration's
 * `startsTasks`): the CLI already waits for them before it closes the vault; this makes that
 * wait honest. A failed task is printed on stderr with its code and message and the exit code
 * is non-zero; Ctrl-C cancels the tasks (each rolls back what it changed and is recorded
 * FAILED with KPS.8115) and the CLI exits 130 once they have — a second Ctrl-C quits at once.
 */
import type { CallHooks, TaskOutcome } from '../core/api/index.js';

const INTERRUPTED = 130;

export function taskHooks(stderr: NodeJS.WritableStream = process.stderr): { hooks: CallHooks; finish(): void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    stderr.write('Cancelling: the task rolls back what it changed (Ctrl-C again to quit at once)…\n');
    controller.abort();
    process.exitCode = INTERRUPTED;
  };
  process.once('SIGINT', onSigint);
  const onTaskEnd = (t: TaskOutcome): void => {
    if (!t.task_error_code) return;
    stderr.write(`${JSON.stringify({ task_id: t.task_id, task_status: t.task_status, error_code: t.task_error_code, error_msg: t.task_error_msg ?? '' })}\n`);
    // The environment failed (the server, the network): exit 1, as for any ≥ 500 error; a
    // cancelled run keeps 130.
    if (process.exitCode !== INTERRUPTED) process.exitCode = 1;
  };
  return {
    hooks: { signal: controller.signal, onTaskEnd },
    finish() {
      process.removeListener('SIGINT', onSigint);
    },
  };
}
