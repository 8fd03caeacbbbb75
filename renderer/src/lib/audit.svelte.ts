/** The audit log: newest entries first, page by page, and a full verification of the chain. */
import type { AuditEvent } from '../../../shared/operations/index.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

const PAGE = 50;

/**
 * Metadata reads the screens make as they load (lists, details, rotation status, quotas): kept in
 * the chain like every call, hidden from the screen unless asked for, so what people did stands
 * out. Reads that reveal something (a secret version's value, an exported key, a decryption) are
 * never among them.
 */
export function isMetadataRead(operation: string): boolean {
  const op = operation.split(' ')[1] ?? '';
  if (op === 'show-secret-version') return false;
  return /^(list-|describe-|show-)/.test(op) || op === 'get-key-rotation-status' || op === 'list-events';
}

/** An outcome in words with its code beside it. */
export function outcomeText(outcome: string): string {
  return outcome === 'success' ? 'Succeeded' : `Failed (${outcome})`;
}

export class AuditManager {
  events = $state<AuditEvent[]>([]);
  nextMarker = $state<number | null>(null);
  verified = $state<{ entries: number; head: string; at: Date } | null>(null);
  showReads = $state(false);
  readonly task = new Task();

  /** The entries on screen: all of them, or without the metadata reads. */
  get shown(): AuditEvent[] {
    return this.showReads ? this.events : this.events.filter((e) => !isMetadataRead(e.operation));
  }

  get hiddenReads(): number {
    return this.showReads ? 0 : this.events.length - this.shown.length;
  }

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

  onLock(): void {
    this.events = [];
    this.nextMarker = null;
    this.verified = null;
    this.task.error = null;
  }
}
