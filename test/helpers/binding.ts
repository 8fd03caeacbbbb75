/** Runs a KPS binding operation through the session to its end: the task's status and, if it failed, why. */
import type { Session } from '../../electron/core/api/index.js';

export interface TaskEnd {
  status: string;
  code?: string;
  msg?: string;
}

export async function runBindingTask(session: Session, op: string, input: Record<string, unknown>): Promise<TaskEnd> {
  const { task_id } = (await session.call('kps', op, input, 'cli')) as { task_id: string };
  await session.settle();
  const t = await session.invoke('listKeypairTask', { task_id }, 'cli');
  return { status: t.task_status, code: t.task_error_code, msg: t.task_error_msg };
}
