import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';
import { caller, codeOf } from './helpers.js';

const target = { target_type: 'SMN', target_id: 'urn:smn:local:ops', target_name: 'ops' };
const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function session(now?: () => number): Promise<Session> {
  const { session: s, path } = await newSession();
  if (!now) {
    sessions.push(s);
    return s;
  }
  s.close();
  const opened = await Session.open(path, { password: TEST_PASSWORD }, { now });
  sessions.push(opened);
  return opened;
}

describe('events and notifications', () => {
  it('creates, shows, lists, updates and deletes events', async () => {
    const csms = caller(await session());
    const { event } = await csms('create-secret-event', { name: 'ops', event_types: ['SECRET_VERSION_CREATED'], state: 'ENABLED', notification: target });
    expect(event).toMatchObject({ name: 'ops', state: 'ENABLED', event_types: ['SECRET_VERSION_CREATED'], notification: target });
    expect(event.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await codeOf(csms('create-secret-event', { name: 'ops', event_types: ['SECRET_DELETED'], state: 'ENABLED', notification: target }))).toBe(
      'CSMS.0002',
    );
    expect(await codeOf(csms('create-secret-event', { name: 'x', event_types: ['NOPE'], state: 'ENABLED', notification: target }))).toBe('CSMS.0002');
    expect(await codeOf(csms('create-secret-event', { name: 'x', event_types: [], state: 'ENABLED', notification: target }))).toBe('CSMS.0002');
    await csms('create-secret-event', { name: 'audit', event_types: ['SECRET_DELETED'], state: 'DISABLED', notification: target });
    const page = await csms('list-secret-events', { limit: 1 });
    expect(page.events.map((e: { name: string }) => e.name)).toEqual(['audit']);
    expect(page.page_info).toEqual({ next_marker: 'audit', current_count: 1 });
    const updated = await csms('update-secret-event', { event_name: 'ops', state: 'DISABLED', event_types: ['SECRET_ROTATED'] });
    expect(updated.event).toMatchObject({ state: 'DISABLED', event_types: ['SECRET_ROTATED'] });
    expect((await csms('show-secret-event', { event_name: 'ops' })).event).toEqual(updated.event);
    expect(await csms('delete-secret-event', { event_name: 'audit' })).toEqual({});
    expect(await codeOf(csms('show-secret-event', { event_name: 'audit' }))).toBe('CSMS.0005');
  });

  it('an event a secret subscribes to cannot be deleted; subscriptions must name existing events', async () => {
    const csms = caller(await session());
    expect(await codeOf(csms('create-secret', { name: 'db', secret_string: 'x', event_subscriptions: ['ghost'] }))).toBe('CSMS.0005');
    await csms('create-secret-event', { name: 'ops', event_types: ['SECRET_DELETED'], state: 'ENABLED', notification: target });
    await csms('create-secret', { name: 'db', secret_string: 'x', event_subscriptions: ['ops'] });
    await expect(csms('delete-secret-event', { event_name: 'ops' })).rejects.toThrow(/secret db subscribes/);
    expect((await csms('list-secrets', { event_name: 'ops' })).secrets.map((s: { name: string }) => s.name)).toEqual(['db']);
    expect((await csms('list-secrets', { event_name: 'other' })).secrets).toEqual([]);
    await csms('update-secret', { secret_name: 'db', event_subscriptions: [] });
    await csms('delete-secret-event', { event_name: 'ops' });
  });

  it('records notifications for the subscribed, enabled event types only, newest first', async () => {
    // A frozen clock: order within one millisecond must still be the order of recording.
    const csms = caller(await session(() => Date.UTC(2026, 2, 1)));
    await csms('create-secret-event', { name: 'ops', event_types: ['SECRET_VERSION_CREATED', 'SECRET_DELETED'], state: 'ENABLED', notification: target });
    await csms('create-secret', { name: 'db', secret_string: 'x', event_subscriptions: ['ops'] });
    await csms('create-secret', { name: 'quiet', secret_string: 'x' });
    await csms('rotate-secret', { secret_name: 'db' });
    await csms('delete-secret', { secret_name: 'db' });
    const { records } = await csms('list-notification-records');
    expect(records.map((r: { trigger_event_type: string }) => r.trigger_event_type)).toEqual([
      'SECRET_DELETED',
      'SECRET_VERSION_CREATED',
      'SECRET_VERSION_CREATED',
    ]);
    expect(
      records.every((r: { secret_name: string; notification_target_id: string }) => r.secret_name === 'db' && r.notification_target_id === target.target_id),
    ).toBe(true);
    expect(JSON.stringify(records)).not.toContain('"x"');
  });

  it('records SECRET_VERSION_EXPIRED once when a version expiry passes', async () => {
    let now = Date.UTC(2026, 2, 1);
    const s = await session(() => now);
    const csms = caller(s);
    await csms('create-secret-event', { name: 'exp', event_types: ['SECRET_VERSION_EXPIRED'], state: 'ENABLED', notification: target });
    await csms('create-secret', { name: 'db', secret_string: 'x', event_subscriptions: ['exp'] });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'y', expire_time: now + 1000 });
    await s.runDue();
    expect((await csms('list-notification-records')).records).toEqual([]);
    now += 2000;
    await s.runDue();
    await s.runDue();
    const { records } = await csms('list-notification-records');
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0].notification_content)).toMatchObject({
      eventType: 'SECRET_VERSION_EXPIRED',
      data: { versionId: 'v2', versionExpireTime: new Date(now - 1000).toISOString() },
    });
  });
});
