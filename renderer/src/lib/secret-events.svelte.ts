/**
 * Secret events (create/list/update/delete-secret-event) and the notifications they recorded
 * (list-notification-records). A secret subscribes to at most one event (update-secret); Keyhold
 * records each notification locally, as the cloud's console lists them.
 */
import { EVENT_TYPES, type EventType, type NotificationRecord, type SecretEvent } from '../../../shared/operations/csms.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export { EVENT_TYPES, type EventType };

export interface NewEvent {
  name: string;
  types: EventType[];
  targetName: string;
  targetId: string;
}

export class SecretEventsManager {
  events = $state<SecretEvent[]>([]);
  records = $state<NotificationRecord[]>([]);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    await this.task.run(() => this.reload());
  }

  async create(e: NewEvent): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('createSecretEvent', {
        name: e.name.trim(),
        event_types: e.types,
        state: 'ENABLED',
        notification: { target_type: 'SMN', target_id: e.targetId.trim(), target_name: e.targetName.trim() },
      });
      await this.reload();
      return true;
    });
    return done === true;
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('updateSecretEvent', { event_name: name, state: enabled ? 'ENABLED' : 'DISABLED' });
      await this.reload();
    });
  }

  async remove(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteSecretEvent', { event_name: name });
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    this.events = (await this.client.call('listSecretEvents', { limit: 1000 })).events;
    this.records = (await this.client.call('listNotificationRecords', {})).records;
  }

  onLock(): void {
    this.events = [];
    this.records = [];
    this.task.error = null;
  }
}
