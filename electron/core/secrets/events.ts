/**
 * Events a secret can subscribe to, and the notifications they produce. There is no cloud
 * messaging service here: a notification is recorded in the vault (the desktop app shows
 * them), keyed by time so listing and pruning need no decryption. Records older than 90 days
 * are pruned, as the cloud keeps three months.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { EventType, NotificationRecord, PageInfo, SecretEvent } from '../../../shared/operations/csms.js';
import { newUuid } from '../crypto/random.js';
import type { RecordStore } from '../vault/store.js';
import type { SecretsContext } from './context.js';
import { page } from './paging.js';
import { SECRETS_TABLE, type SecretRecord } from './records.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

export const EVENTS_TABLE = 'csms_events';
const NOTIFICATIONS_TABLE = 'csms_notifications';
const KEEP_MS = 90 * 24 * 3600 * 1000;
const TIME_DIGITS = 15;

export function getEvent(store: RecordStore, name: string): SecretEvent {
  const e = store.read<SecretEvent>(EVENTS_TABLE, name);
  if (!e) throw new KeyholdError(CsmsErrors.NotFound, `The event ${name} does not exist.`, 404);
  return e;
}

/** Precondition: a secret subscribes only to events that exist (CSMS.0005). */
export function requireEvents(store: RecordStore, names: readonly string[]): void {
  for (const name of names) getEvent(store, name);
}

export function createEvent(ctx: SecretsContext, input: Pick<SecretEvent, 'name' | 'event_types' | 'state' | 'notification'>): SecretEvent {
  if (ctx.store.read(EVENTS_TABLE, input.name))
    throw new KeyholdError(CsmsErrors.Invalid, `Invalid parameter name: an event named ${input.name} already exists.`, 400);
  const now = ctx.now();
  const event: SecretEvent = { ...input, event_types: [...new Set(input.event_types)], event_id: newUuid(), create_time: now, update_time: now };
  ctx.store.put(EVENTS_TABLE, event.name, event);
  return event;
}

export function listEvents(store: RecordStore, input: { limit: number; marker?: string }): { events: SecretEvent[]; page_info: PageInfo } {
  const keysAfter = (after: string | undefined, limit: number) => store.ids(EVENTS_TABLE, { after, limit });
  const { items, page_info } = page(keysAfter, input.marker, input.limit, (name) => store.read<SecretEvent>(EVENTS_TABLE, name));
  return { events: items, page_info };
}

export function updateEvent(
  ctx: SecretsContext,
  input: { event_name: string } & Partial<Pick<SecretEvent, 'event_types' | 'state' | 'notification'>>,
): SecretEvent {
  const e = getEvent(ctx.store, input.event_name);
  const updated: SecretEvent = {
    ...e,
    ...(input.event_types ? { event_types: [...new Set(input.event_types)] } : {}),
    ...(input.state ? { state: input.state } : {}),
    ...(input.notification ? { notification: input.notification } : {}),
    update_time: ctx.now(),
  };
  ctx.store.put(EVENTS_TABLE, e.name, updated);
  return updated;
}

/** Precondition: an event a secret subscribes to cannot be deleted (CSMS.0002 naming the secret). */
export function deleteEvent(ctx: SecretsContext, name: string): void {
  getEvent(ctx.store, name);
  const user = ctx.store.list<SecretRecord>(SECRETS_TABLE).find((s) => s.event_subscriptions.includes(name));
  if (user) throw new KeyholdError(CsmsErrors.Invalid, `The event ${name} cannot be deleted: the secret ${user.name} subscribes to it.`, 400);
  ctx.store.delete(EVENTS_TABLE, name);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Records a notification for each enabled event of `s` that listens for `type`. */
export function notify(ctx: SecretsContext, s: SecretRecord, type: EventType, version?: { id: string; expire_time?: number }): void {
  const now = ctx.now();
  let recorded = false;
  for (const name of s.event_subscriptions) {
    const event = ctx.store.read<SecretEvent>(EVENTS_TABLE, name);
    if (!event || event.state !== 'ENABLED' || !event.event_types.includes(type)) continue;
    const content = {
      eventName: name,
      eventType: type,
      eventTime: iso(now),
      data: {
        secretId: s.id,
        secretName: s.name,
        createTime: iso(s.create_time),
        updateTime: iso(s.update_time),
        ...(version ? { versionId: version.id } : {}),
        ...(version?.expire_time === undefined ? {} : { versionExpireTime: iso(version.expire_time) }),
      },
    };
    const record: NotificationRecord = {
      event_name: name,
      trigger_event_type: type,
      create_time: now,
      notification_content: JSON.stringify(content),
      notification_status: 'SUCCESS',
      notification_target_name: event.notification.target_name,
      notification_target_id: event.notification.target_id,
      secret_name: s.name,
      secret_type: s.secret_type,
    };
    ctx.store.put(NOTIFICATIONS_TABLE, nextNotificationId(ctx.store, now), record);
    recorded = true;
  }
  if (recorded) pruneNotifications(ctx.store, now);
}

/** `<time>-<n>`: sorts by time, then by order of recording within one millisecond. */
function nextNotificationId(store: RecordStore, now: number): string {
  const time = String(now).padStart(TIME_DIGITS, '0');
  const sameTime = store.ids(NOTIFICATIONS_TABLE, { after: time }).filter((id) => id.startsWith(`${time}-`));
  const last = sameTime.at(-1);
  const n = last === undefined ? 0 : Number(last.slice(TIME_DIGITS + 1)) + 1;
  return `${time}-${String(n).padStart(6, '0')}`;
}

/** Deletes a bounded batch of expired records per call; later notifications take the rest. */
function pruneNotifications(store: RecordStore, now: number): void {
  const oldest = String(now - KEEP_MS).padStart(TIME_DIGITS, '0');
  for (const id of store.ids(NOTIFICATIONS_TABLE, { limit: 100 })) {
    if (id.slice(0, TIME_DIGITS) >= oldest) break;
    store.delete(NOTIFICATIONS_TABLE, id);
  }
}

/** Every kept notification, newest first. */
export function listNotifications(store: RecordStore): NotificationRecord[] {
  return store
    .ids(NOTIFICATIONS_TABLE)
    .reverse()
    .flatMap((id) => store.read<NotificationRecord>(NOTIFICATIONS_TABLE, id) ?? []);
}
