/** The audit log: newest entries first, page by page, and a full verification of the chain. */
import type { AuditEvent } from '../../../shared/operations/index.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

const PAGE = 50;

export class AuditManager {
  events = $state<AuditEvent[]>([]);
  nextMarker = $state<number | null>(null);
  verified = $state<{ entries: number; head: string; at: Date } | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    await this.task.run(async () => {
      const res = await this.client.call('auditListEvents', { limit: PAGE });
      this.events = res.events;
      this.nextMarker = res.next_marker;
    });
  }

  async more(): Promise<void> {
    if (this.nextMarker === null) return;
    await this.task.run(async () => {
      const res = await this.client.call('auditListEvents', { limit: PAGE, marker: this.nextMarker ?? undefined });
      this.events = [...this.events, ...res.events];
      this.nextMarker = res.next_marker;
    });
  }

  async verify(): Promise<void> {
    this.verified = null;
    await this.task.run(async () => {
      const res = await this.client.call('auditVerify', {});
      this.verified = { entries: res.entries, head: res.head, at: new Date() };
      // The verification is itself audited: show the list as the chain now stands.
      const page = await this.client.call('auditListEvents', { limit: PAGE });
      this.events = page.events;
      this.nextMarker = page.next_marker;
    });
  }
}
