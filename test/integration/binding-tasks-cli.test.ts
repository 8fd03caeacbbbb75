/**
 * Issue #19: a CLI call that waits for its binding task tells the truth about it. A failed task
 * makes the CLI exit non-zero with the task's code and message on stderr, list-keypair-task
 * carries task_error_code/task_error_msg, the task's audit entry has the code as its outcome;
 * Ctrl-C cancels the task (recorded FAILED with KPS.8115) before the CLI exits 130.
 *
 * No root and no sshd: the host key is pinned from an in-process ssh2 host that accepts no
 * login, and the cancelled task talks to a TCP port that accepts and never answers. The CLI
 * runs as a child process (asynchronously, so this process's servers keep answering).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshHost, type SshHost } from '../helpers/ssh-host.js';
import { cliAsync, tempDir, type CliResult } from '../helpers/vault.js';
import { join } from 'node:path';

async function cli(vault: string, args: string[]): Promise<CliResult> {
  return cliAsync(vault, args).done;
}

describe('binding tasks on the command line', () => {
  let host: SshHost;
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();
  let vault: string;
  let serverId: string;

  beforeAll(async () => {
    host = await startSshHost();
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    silentPort = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => {
        const a = silent.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      }),
    );
    vault = join(tempDir(), 'vault.db');
    expect((await cli(vault, ['init', '--kdf-target-ms', '10'])).status).toBe(0);
    const created = await cli(vault, ['kps', 'create-keypair', '--keypair', JSON.stringify({ name: 'kp1', algorithm: 'SSH_ED25519' })]);
    expect(created.status).toBe(0);
    const added = await cli(vault, ['servers', 'add', '--name', 'h', '--host', '127.0.0.1', '--port', String(host.port), '--user', 'nobody']);
    serverId = (added.json as { server: { id: string } }).server.id;
    expect((await cli(vault, ['servers', 'pin-host-key', '--id', serverId])).status).toBe(0);
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent?.close(r));
    await host?.close();
  });

  const body = (port?: number) =>
    JSON.stringify({ keypair_name: 'kp1', server: { id: serverId, auth: { type: 'password', key: 'wrong' }, ...(port ? { port } : {}) } });

  it('a failed task: exit 1, its code and message on stderr, in list-keypair-task and as its audit outcome', async () => {
    const r = await cli(vault, ['kps', 'associate-keypair', '--input-json', body()]);
    expect(r.status).toBe(1);
    const taskId = (r.json as { task_id: string }).task_id;
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    const reported = JSON.parse(r.stderr.trim().split('\n').pop() as string) as Record<string, string>;
    expect(reported).toMatchObject({ task_id: taskId, task_status: 'FAILED_RESET', error_code: 'KPS.8103' });
    expect(reported.error_msg).toMatch(/^Authentication failed/);

    const shown = await cli(vault, ['kps', 'list-keypair-task', '--task-id', taskId]);
    expect(shown.json).toMatchObject({ task_id: taskId, task_status: 'FAILED_RESET', task_error_code: 'KPS.8103', task_error_msg: reported.error_msg });

    const events = (await cli(vault, ['audit', 'list-events', '--operation', 'kps task FAILED_RESET'])).json as {
      events: { outcome: string; fields: { task_id: string } }[];
    };
    expect(events.events.find((e) => e.fields.task_id === taskId)?.outcome).toBe('KPS.8103');
  }, 60_000);

  it('Ctrl-C marks the running task cancelled before the CLI exits 130', async () => {
    const run = cliAsync(vault, ['kps', 'associate-keypair', '--input-json', body(silentPort)]);
    let out = '';
    run.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    // The task is RUNNING once the call printed its id; its SSH handshake now waits forever.
    await new Promise<void>((resolve) => {
      const check = (): void => (out.includes('task_id') ? resolve() : void setTimeout(check, 20));
      check();
    });
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.status).toBe(130);
    const taskId = (JSON.parse(out) as { task_id: string }).task_id;
    expect(r.stderr).toContain('KPS.8115');

    const shown = await cli(vault, ['kps', 'list-keypair-task', '--task-id', taskId]);
    expect(shown.json).toMatchObject({ task_status: 'FAILED_RESET', task_error_code: 'KPS.8115' });
    const running = await cli(vault, ['kps', 'list-running-task']);
    expect((running.json as { total: number }).total).toBe(0);
  }, 60_000);
});
