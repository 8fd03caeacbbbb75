/**
 * Servers and binding (issue 8, docs/binding.md): the inventory of servers Keyhold may SSH into,
 * with the host key shown to the user before it is pinned (as ssh and PuTTY ask), and binding a
 * key pair's public key into a server's authorized_keys as an asynchronous task followed until
 * it ends. Passwords and pasted private keys are sent once with a bind and not kept here; a
 * hosted key pair is named, so its private key never reaches the page.
 */
import type { FailedTaskInfo, RunningTaskInfo } from '../../../shared/operations/kps-binding.js';
import type { HostKeyScan, ServerInfo } from '../../../shared/operations/servers.js';
import { AgentKeysManager } from './agent-keys.svelte.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export interface NewServer {
  name: string;
  host: string;
  port: number;
  user: string;
}

export interface ServerEdit {
  name: string;
  host: string;
  port: number;
  user: string;
  notes: string;
  sshd_config: string;
}

/** How Keyhold logs in to the server for the bind: its password, a hosted key pair, or a pasted unencrypted key. */
export type LoginKind = 'password' | 'hosted' | 'pasted';

export interface BindRequest {
  /** One server binds with one task; several with the batch operation (one task each). */
  serverIds: string[];
  keypairName: string;
  login: LoginKind;
  /** The password, or the pasted private key that logs in today. */
  secret: string;
  /** The hosted key pair whose private key logs in today (login 'hosted'). */
  loginKeypair: string;
  /** The passphrase of an encrypted pasted key ('' when it has none). */
  passphrase: string;
  disablePassword: boolean;
}

export interface UnbindRequest {
  serverId: string;
  login: LoginKind;
  secret: string;
  loginKeypair: string;
  passphrase: string;
}

export interface FollowedTask {
  id: string;
  serverId: string;
  status: string;
  errorCode?: string;
  errorMsg?: string;
}

const OPERATION_WORDS: Readonly<Record<string, { running: string; success: string; failed: string }>> = {
  RESET: { running: 'Binding (logged in with the password)…', success: 'Bound (logged in with the password)', failed: 'Binding failed' },
  REPLACE: { running: 'Binding (logged in with a key)…', success: 'Bound (logged in with a key)', failed: 'Binding failed' },
  UNBIND: { running: 'Unbinding…', success: 'Unbound', failed: 'Unbinding failed' },
};

/** A task status (RUNNING_RESET, SUCCESS_REPLACE, FAILED_UNBIND …) in words; the code is shown beside it. */
export function taskWords(status: string): string {
  const [state, operation] = status.split('_');
  const words = OPERATION_WORDS[operation ?? ''];
  if (!words) return state === 'RUNNING' ? 'Running…' : status;
  if (state === 'RUNNING') return words.running;
  if (state === 'SUCCESS') return words.success;
  if (state === 'FAILED') return words.failed;
  return status;
}

/** Where a stock OpenSSH server keeps the public host key of a type, for the user to compare on the server. */
export function hostKeyFile(type: string): string {
  const name = type === 'ssh-ed25519' ? 'ed25519' : type.startsWith('ecdsa-') ? 'ecdsa' : type === 'ssh-rsa' ? 'rsa' : null;
  return name ? `/etc/ssh/ssh_host_${name}_key.pub` : '/etc/ssh/ssh_host_*_key.pub';
}

/** How often a running task's status is asked for, and for how long at most. */
const POLL_MS = 1000;
const POLL_LIMIT = 120;

function auth(
  login: LoginKind,
  secret: string,
  loginKeypair: string,
  passphrase: string,
): { type: 'password' | 'keypair'; key?: string; keypair_name?: string; passphrase?: string } {
  if (login === 'password') return { type: 'password', key: secret };
  if (login === 'hosted') return { type: 'keypair', keypair_name: loginKeypair };
  return { type: 'keypair', key: secret, ...(passphrase ? { passphrase } : {}) };
}

export class ServersManager {
  servers = $state<ServerInfo[]>([]);
  /** The tasks started from this screen, followed until each ends. */
  tasks = $state<FollowedTask[]>([]);
  running = $state<RunningTaskInfo[]>([]);
  failed = $state<FailedTaskInfo[]>([]);
  /** The host key a server presents, read for the user to compare before anything is pinned. */
  scan = $state<HostKeyScan | null>(null);
  /** One server's details (show), for editing. */
  shown = $state<ServerInfo | null>(null);
  readonly op = new Task();
  /** Which hosted key pairs `keyhold agent` offers, and to which servers. */
  readonly agent: AgentKeysManager;

  constructor(
    private readonly client: Client,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.agent = new AgentKeysManager(client);
  }

  async load(): Promise<void> {
    await this.op.run(() => this.reload());
  }

  async add(s: NewServer): Promise<boolean> {
    const done = await this.op.run(async () => {
      await this.client.call('serversAdd', { name: s.name.trim(), host: s.host.trim(), port: s.port, user: s.user.trim() });
      await this.reload();
      return true;
    });
    return done === true;
  }

  /** Reads the key the server presents now and shows it beside the pinned one; pins nothing. */
  async checkHostKey(id: string): Promise<void> {
    this.scan = null;
    await this.op.run(async () => {
      this.scan = (await this.client.call('serversScanHostKey', { id })).scan;
    });
  }

  /**
   * Pins exactly the key the user was shown: the core pins only if the server still presents
   * that fingerprint. A changed key is accepted only from a scan that found it changed.
   */
  async pinChecked(): Promise<void> {
    const scan = this.scan;
    if (!scan || scan.status === 'matches') return;
    await this.op.run(async () => {
      await this.client.call('serversPinHostKey', { id: scan.server_id, fingerprint: scan.host_key_fingerprint, accept_new: scan.status === 'changed' });
      this.scan = null;
      await this.reload();
    });
  }

  dismissScan(): void {
    this.scan = null;
  }

  async show(id: string): Promise<void> {
    await this.op.run(async () => {
      this.shown = (await this.client.call('serversShow', { id })).server;
    });
  }

  closeShown(): void {
    this.shown = null;
  }

  /** Sends only what changed; a new host or port clears the pin (the core says so, and the row shows it). */
  async update(id: string, edit: ServerEdit): Promise<boolean> {
    const before = this.shown;
    if (!before) return false;
    const changes = Object.fromEntries(
      (Object.keys(edit) as (keyof ServerEdit)[])
        .filter((k) => edit[k] !== before[k])
        .map((k) => [k, typeof edit[k] === 'string' ? (edit[k] as string).trim() : edit[k]]),
    ) as Partial<ServerEdit>;
    const done = await this.op.run(async () => {
      if (Object.keys(changes).length) this.shown = (await this.client.call('serversUpdate', { id, ...changes })).server;
      await this.reload();
      return true;
    });
    return done === true;
  }

  async remove(id: string): Promise<void> {
    await this.op.run(async () => {
      await this.client.call('serversRemove', { id });
      if (this.shown?.id === id) this.shown = null;
      await this.reload();
    });
  }

  async bind(b: BindRequest): Promise<void> {
    // A new attempt's status never stands beside the previous one's.
    this.tasks = [];
    await this.op.run(async () => {
      const login = auth(b.login, b.secret, b.loginKeypair, b.passphrase);
      const body = (id: string) => ({ keypair_name: b.keypairName, server: { id, auth: login, disable_password: b.disablePassword } });
      if (b.serverIds.length === 1) {
        const { task_id } = await this.client.call('associateKeypair', body(b.serverIds[0] as string));
        this.tasks = [{ id: task_id, serverId: b.serverIds[0] as string, status: 'RUNNING' }];
      } else if (login.passphrase) {
        // The batch takes no passphrase (it would open the key once per entry): one bind per server.
        const tasks: FollowedTask[] = [];
        for (const id of b.serverIds) {
          try {
            tasks.push({ id: (await this.client.call('associateKeypair', body(id))).task_id, serverId: id, status: 'RUNNING' });
          } catch (e) {
            const err = e as { code?: string; message?: string };
            tasks.push({ id: `refused-${id}`, serverId: id, status: 'FAILED', errorCode: err.code, errorMsg: err.message });
          }
        }
        this.tasks = tasks;
      } else {
        const { tasks } = await this.client.call('batchAssociateKeypair', { batch_keypairs: b.serverIds.map(body) });
        // An entry refused by its checks gets no task: shown as failed with its reason.
        this.tasks = tasks.map((t) =>
          t.task_id
            ? { id: t.task_id, serverId: t.server_id, status: 'RUNNING' }
            : { id: `refused-${t.server_id}`, serverId: t.server_id, status: 'FAILED', errorCode: t.error_code, errorMsg: t.error_msg },
        );
      }
      await this.follow();
    });
  }

  async unbind(u: UnbindRequest): Promise<void> {
    this.tasks = [];
    await this.op.run(async () => {
      const { task_id } = await this.client.call('disassociateKeypair', {
        server: { id: u.serverId, auth: auth(u.login, u.secret, u.loginKeypair, u.passphrase) },
      });
      this.tasks = [{ id: task_id, serverId: u.serverId, status: 'RUNNING' }];
      await this.follow();
    });
  }

  async refreshTasks(): Promise<void> {
    await this.op.run(() => this.reloadTasks());
  }

  async deleteFailed(taskId: string): Promise<void> {
    await this.op.run(async () => {
      await this.client.call('deleteFailedTask', { task_id: taskId });
      await this.reloadTasks();
    });
  }

  async deleteAllFailed(): Promise<void> {
    await this.op.run(async () => {
      await this.client.call('deleteAllFailedTask', {});
      await this.reloadTasks();
    });
  }

  serverName(id: string): string {
    return this.servers.find((s) => s.id === id)?.name ?? id;
  }

  private async follow(): Promise<void> {
    for (let i = 0; i < POLL_LIMIT && this.tasks.some((t) => t.status.startsWith('RUNNING')); i++) {
      if (i > 0) await this.sleep(POLL_MS);
      this.tasks = await Promise.all(
        this.tasks.map(async (t) => {
          if (!t.status.startsWith('RUNNING')) return t;
          const r = await this.client.call('listKeypairTask', { task_id: t.id });
          return { ...t, status: r.task_status, errorCode: r.task_error_code, errorMsg: r.task_error_msg };
        }),
      );
    }
    await this.reloadTasks();
  }

  private async reloadTasks(): Promise<void> {
    this.running = (await this.client.call('listRunningTask', {})).tasks;
    this.failed = (await this.client.call('listFailedTask', {})).tasks;
  }

  private async reload(): Promise<void> {
    this.servers = (await this.client.call('serversList', {})).servers;
    await this.reloadTasks();
  }

  onLock(): void {
    this.servers = [];
    this.tasks = [];
    this.running = [];
    this.failed = [];
    this.scan = null;
    this.shown = null;
    this.op.error = null;
  }
}
