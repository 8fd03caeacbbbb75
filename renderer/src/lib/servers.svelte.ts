/**
 * Servers and binding (issue 8): the inventory of servers Keyhold may SSH into (host key pinned
 * on first use), and binding a key pair's public key into a server's authorized_keys as an
 * asynchronous task whose status is followed until it ends. Passwords and private keys given
 * for a bind are sent once with it and not kept here.
 */
import type { FailedTaskInfo } from '../../../shared/operations/kps-binding.js';
import type { ServerInfo } from '../../../shared/operations/servers.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export interface NewServer {
  name: string;
  host: string;
  port: number;
  user: string;
}

export interface BindRequest {
  serverId: string;
  keypairName: string;
  authType: 'password' | 'keypair';
  /** The server's password, or the private key that logs in today. */
  authKey: string;
  disablePassword: boolean;
}

/** How often a running task's status is asked for, and for how long at most. */
const POLL_MS = 1000;
const POLL_LIMIT = 120;

export class ServersManager {
  servers = $state<ServerInfo[]>([]);
  /** The latest task's id and status (RUNNING_…, SUCCESS_…, FAILED_…). */
  task = $state<{ id: string; status: string } | null>(null);
  failed = $state<FailedTaskInfo[]>([]);
  readonly op = new Task();

  constructor(
    private readonly client: Client,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

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

  /** Pins the host key on first use; acceptNew replaces a pinned key that changed (after the user checked it). */
  async pin(id: string, acceptNew = false): Promise<void> {
    await this.op.run(async () => {
      await this.client.call('serversPinHostKey', { id, accept_new: acceptNew });
      await this.reload();
    });
  }

  async remove(id: string): Promise<void> {
    await this.op.run(async () => {
      await this.client.call('serversRemove', { id });
      await this.reload();
    });
  }

  async bind(b: BindRequest): Promise<void> {
    await this.op.run(async () => {
      const { task_id } = await this.client.call('associateKeypair', {
        keypair_name: b.keypairName,
        server: { id: b.serverId, auth: { type: b.authType, key: b.authKey }, disable_password: b.disablePassword },
      });
      await this.follow(task_id);
    });
  }

  async unbind(serverId: string, authType: 'password' | 'keypair', authKey: string): Promise<void> {
    await this.op.run(async () => {
      const { task_id } = await this.client.call('disassociateKeypair', { server: { id: serverId, auth: { type: authType, key: authKey } } });
      await this.follow(task_id);
    });
  }

  async deleteFailed(taskId: string): Promise<void> {
    await this.op.run(async () => {
      await this.client.call('deleteFailedTask', { task_id: taskId });
      this.failed = (await this.client.call('listFailedTask', {})).tasks;
    });
  }

  private async follow(taskId: string): Promise<void> {
    this.task = { id: taskId, status: 'RUNNING' };
    for (let i = 0; i < POLL_LIMIT; i++) {
      const { task_status } = await this.client.call('listKeypairTask', { task_id: taskId });
      this.task = { id: taskId, status: task_status };
      if (!task_status.startsWith('RUNNING')) break;
      await this.sleep(POLL_MS);
    }
    this.failed = (await this.client.call('listFailedTask', {})).tasks;
  }

  private async reload(): Promise<void> {
    this.servers = (await this.client.call('serversList', {})).servers;
    this.failed = (await this.client.call('listFailedTask', {})).tasks;
  }

  onLock(): void {
    this.servers = [];
    this.task = null;
    this.failed = [];
    this.op.error = null;
  }
}
