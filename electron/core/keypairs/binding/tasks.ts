/**
 * Binding tasks as vault records: created RUNNING in the request's transaction, moved to SUCCESS
 * or FAILED by the background work in a later audited write. Records hold ids, names and the
 * failure code and cause, never a credential.
 */
import { hostname } from 'node:os';
import type { FailedTaskInfo, RunningTaskInfo, TaskOperation, TaskState } from '../../../../shared/operations/kps-binding.js';
import { newUuid } from '../../crypto/random.js';
import type { RecordStore } from '../../vault/store.js';
import { TaskFailure, TaskFailures } from './errors.js';

export const TASK_TABLE = 'kps_binding_tasks';

export interface TaskRecord {
  task_id: string;
  server_id: string;
  server_name: string;
  keypair_name: string;
  operate: TaskOperation;
  state: TaskState;
  task_time: number;
  task_error_code: string | null;
  task_error_msg: string | null;
  /** Which process runs it, so a task left RUNNING by a Keyhold that died can be told apart. */
  runner: { host: string; pid: number };
}

/** What the session offers for work that outlives the request (see api/session.ts Background). */
export interface BackgroundLike {
  start(work: () => Promise<void>): void;
  write(operation: string, fields: Record<string, unknown>, change: (store: RecordStore) => void, outcome?: string): Promise<void>;
}

/** What the transport handed the call: cancellation, and who hears each task's end. */
export interface TaskHooks {
  signal?: AbortSignal;
  onTaskEnd?: (t: { task_id: string; task_status: string; task_error_code?: string; task_error_msg?: string }) => void;
}

export function newTask(store: RecordStore, now: number, t: Pick<TaskRecord, 'server_id' | 'server_name' | 'keypair_name' | 'operate'>): TaskRecord {
  const task: TaskRecord = {
    ...t,
    task_id: newUuid(),
    state: 'RUNNING',
    task_time: now,
    task_error_code: null,
    task_error_msg: null,
    runner: { host: hostname(), pid: process.pid },
  };
  store.put(TASK_TABLE, task.task_id, task);
  return task;
}

function alive(runner: TaskRecord['runner']): boolean {
  if (runner.host !== hostname()) return true;
  if (runner.pid === process.pid) return true;
  try {
    process.kill(runner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The task running on `serverId`, if any: two tasks editing one authorized_keys at once could
 * undo each other. A RUNNING task whose process is gone is marked FAILED on the way.
 */
export function runningOn(store: RecordStore, serverId: string): TaskRecord | undefined {
  for (const t of store.list<TaskRecord>(TASK_TABLE)) {
    if (t.state !== 'RUNNING' || t.server_id !== serverId) continue;
    if (alive(t.runner)) return t;
    store.put(TASK_TABLE, t.task_id, {
      ...t,
      state: 'FAILED',
      task_error_code: TaskFailures.ConnectionLost,
      task_error_msg: 'Keyhold stopped while the task ran; check the server, then run the operation again',
    });
  }
  return undefined;
}

/**
 * Runs `work` and records its outcome; the failure's code and message become the task's, and
 * its audit entry's outcome (as for any failed call). A task cancelled through `hooks.signal`
 * (the engine has rolled back by then) is recorded FAILED with KPS.8115.
 */
export async function runTask(
  bg: BackgroundLike,
  task: TaskRecord,
  work: () => Promise<{ keypair_name?: string } | void>,
  hooks: TaskHooks = {},
): Promise<void> {
  let done: TaskRecord;
  try {
    const result = await work();
    done = { ...task, keypair_name: result?.keypair_name ?? task.keypair_name, state: 'SUCCESS' };
  } catch (e) {
    let failure = e instanceof TaskFailure ? e : new TaskFailure(TaskFailures.Unexpected, e instanceof Error ? e.name : 'error');
    if (hooks.signal?.aborted && failure.code !== TaskFailures.Cancelled) {
      const rollbackFailed = failure.message.includes('the rollback also failed');
      failure = new TaskFailure(TaskFailures.Cancelled, rollbackFailed ? failure.message : '');
    }
    done = { ...task, state: 'FAILED', task_error_code: failure.code, task_error_msg: failure.message };
  }
  await bg.write(
    `kps task ${done.state}_${done.operate}`,
    { task_id: done.task_id, server_id: done.server_id, keypair_name: done.keypair_name, error_code: done.task_error_code },
    (store) => store.put(TASK_TABLE, done.task_id, done),
    done.task_error_code ?? 'success',
  );
  hooks.onTaskEnd?.({
    task_id: done.task_id,
    task_status: taskStatus(done),
    ...(done.task_error_code ? { task_error_code: done.task_error_code, task_error_msg: done.task_error_msg ?? '' } : {}),
  });
}

export function taskStatus(t: TaskRecord): `${TaskState}_${TaskOperation}` {
  return `${t.state}_${t.operate}`;
}

export function runningInfo(t: TaskRecord): RunningTaskInfo {
  return {
    task_id: t.task_id,
    operate_type: `RUNNING_${t.operate}`,
    task_time: t.task_time,
    server_name: t.server_name,
    server_id: t.server_id,
    keypair_name: t.keypair_name,
  };
}

export function failedInfo(t: TaskRecord): FailedTaskInfo {
  return {
    task_id: t.task_id,
    operate_type: `FAILED_${t.operate}`,
    task_time: t.task_time,
    task_error_code: t.task_error_code ?? '',
    task_error_msg: t.task_error_msg ?? '',
    server_name: t.server_name,
    server_id: t.server_id,
    keypair_name: t.keypair_name,
  };
}
