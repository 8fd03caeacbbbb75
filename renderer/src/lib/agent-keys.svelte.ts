/**
 * Which hosted key pairs `keyhold agent` offers to ssh (docs/agent.md): offered or not, SHA-1
 * allowed for old servers or not, and which servers (by pinned host key) may see each one. The
 * agent itself runs from the command line; this only sets what it offers.
 */
import type { SshAgentKey } from '../../../shared/operations/ssh-agent.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export interface AgentKeyChoice {
  offered: boolean;
  allowSha1: boolean;
  /** Empty: every server; else only servers presenting one of these host keys. */
  hostKeys: string[];
}

export class AgentKeysManager {
  keys = $state<SshAgentKey[]>([]);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.keys = (await this.client.call('sshAgentListKeys', {})).keys;
    });
  }

  async set(name: string, c: AgentKeyChoice): Promise<void> {
    await this.task.run(async () => {
      const { key } = await this.client.call('sshAgentSetKey', { keypair_name: name, offered: c.offered, allow_sha1: c.allowSha1, host_keys: c.hostKeys });
      this.keys = this.keys.map((k) => (k.keypair_name === name ? key : k));
    });
  }

  onLock(): void {
    this.keys = [];
    this.task.error = null;
  }
}
