import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';
import { caller, codeOf } from './helpers.js';

const HOUR = 3600 * 1000;
const T0 = Date.UTC(2026, 5, 1, 12);
let open: Session[] = [];

afterEach(() => {
  for (const s of open) s.close();
  open = [];
});

async function reopen(path: string, now: () => number, dueWorkIntervalMs?: number): Promise<Session> {
  const s = await Session.open(path, { password: TEST_PASSWORD }, { now, dueWorkIntervalMs });
  open.push(s);
  return s;
}

/** A vault holding `db` (auto-rotating every 6 h from T0) and `static` (never rotating), closed. */
async function vaultWithRotatingSecret(): Promise<string> {
  const { session, path } = await newSession();
  session.close();
  const s = await reopen(path, () => T0);
  const csms = caller(s);
  await csms('create-secret-event', {
    name: 'ops',
    event_types: ['SECRET_ROTATED', 'SECRET_ROTATED_FAILED'],
    state: 'ENABLED',
    notification: { target_type: 'SMN', target_id: 'urn:smn:local:ops', target_name: 'ops' },
  });
  const { secret } = await csms('create-secret', {
    name: 'db',
    secret_string: 'initial',
    auto_rotation: true,
    rotation_period: '6h',
    event_subscriptions: ['ops'],
  });
  expect(secret).toMatchObject({ auto_rotation: true, rotation_period: '6h', next_rotation_time: T0 + 6 * HOUR, rotation_time: null });
  await csms('create-secret', { name: 'static', secret_string: 'stays' });
  s.close();
  open = open.filter((x) => x !== s);
  return path;
}

describe('rotation', () => {
  it('performs a rotation that came due while the vault was closed, when it opens, audited', async () => {
    const path = await vaultWithRotatingSecret();
    const s = await reopen(path, () => T0 + 7 * HOUR);
    const csms = caller(s);
    const { secret } = await csms('show-secret', { secret_name: 'db' });
    expect(secret).toMatchObject({ rotation_time: T0 + 7 * HOUR, next_rotation_time: T0 + 13 * HOUR });
    const latest = (await csms('show-secret-version', { secret_name: 'db', version_id: 'latest' })).version;
    expect(latest.version_metadata).toMatchObject({ id: 'v2', version_stages: ['SYSCURRENT'] });
    expect(latest.secret_string).toMatch(/^.{32}$/);
    expect(latest.secret_string).not.toBe('initial');
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'SYSPREVIOUS' })).version.secret_string).toBe('initial');
    expect((await csms('list-secret-versions', { secret_name: 'static' })).version_metadatas).toHaveLength(1);
    const audit = await caller(s, 'audit')('list-events', { operation: 'csms auto-rotate-secret' });
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ transport: 'system', outcome: 'success', fields: { secret_name: 'db' } });
    const notes = await csms('list-notification-records');
    expect(notes.records.map((r: { trigger_event_type: string }) => r.trigger_event_type)).toEqual(['SECRET_ROTATED']);
    expect(JSON.parse(notes.records[0].notification_content)).toMatchObject({
      eventName: 'ops',
      eventType: 'SECRET_ROTATED',
      data: { secretName: 'db', versionId: 'v2' },
    });
    expect((await caller(s, 'audit')('verify')).valid).toBe(true);
  });

  it('does nothing before the rotation is due, and rotates once however many periods were missed', async () => {
    const path = await vaultWithRotatingSecret();
    let s = await reopen(path, () => T0 + 5 * HOUR);
    expect((await caller(s)('list-secret-versions', { secret_name: 'db' })).version_metadatas).toHaveLength(1);
    s.close();
    s = await reopen(path, () => T0 + 100 * HOUR);
    expect((await caller(s)('list-secret-versions', { secret_name: 'db' })).version_metadatas).toHaveLength(2);
  });

  it('rotates on the timer while the vault stays open', async () => {
    const path = await vaultWithRotatingSecret();
    let now = T0 + HOUR;
    const s = await reopen(path, () => now, 10);
    const csms = caller(s);
    expect((await csms('list-secret-versions', { secret_name: 'db' })).version_metadatas).toHaveLength(1);
    now = T0 + 6 * HOUR;
    await new Promise((r) => setTimeout(r, 200));
    expect((await csms('show-secret', { secret_name: 'db' })).secret.rotation_time).toBe(T0 + 6 * HOUR);
    expect((await csms('list-secret-versions', { secret_name: 'db' })).version_metadatas).toHaveLength(2);
  });

  it('a due rotation that is refused is notified as SECRET_ROTATED_FAILED and retried one period later', async () => {
    const path = await vaultWithRotatingSecret();
    let s = await reopen(path, () => T0 + HOUR);
    const kms = caller(s, 'kms');
    const { key_info } = await kms('create-key', { key_alias: 'rot' });
    await caller(s)('update-secret', { secret_name: 'db', kms_key_id: key_info.key_id });
    await kms('disable-key', { key_id: key_info.key_id });
    s.close();
    s = await reopen(path, () => T0 + 8 * HOUR);
    const { secret } = await caller(s)('show-secret', { secret_name: 'db' });
    expect(secret).toMatchObject({ rotation_time: null, next_rotation_time: T0 + 14 * HOUR });
    const audit = await caller(s, 'audit')('list-events', { operation: 'csms auto-rotate-secret' });
    expect(audit.events[0]).toMatchObject({ outcome: 'CSMS.0002' });
    const notes = await caller(s)('list-notification-records');
    expect(notes.records[0]).toMatchObject({ trigger_event_type: 'SECRET_ROTATED_FAILED', secret_name: 'db', event_name: 'ops' });
  });

  it('rotate-secret makes a random SYSCURRENT version; a JSON secret keeps its keys and gets a new password', async () => {
    const { session } = await newSession();
    open.push(session);
    const csms = caller(session);
    await csms('create-secret', { name: 'db', secret_format: 'JSON', secret_string: JSON.stringify({ username: 'app', password: 'old', port: 5432 }) });
    const r = await csms('rotate-secret', { secret_name: 'db' });
    expect(r).toMatchObject({ version_id: 'v2', secret_name: 'db' });
    expect(r.rotation_task_id).toMatch(/^[0-9a-f-]{36}$/);
    const rotated = JSON.parse((await csms('show-secret-version', { secret_name: 'db', version_id: 'latest' })).version.secret_string);
    expect(rotated).toMatchObject({ username: 'app', port: 5432 });
    expect(rotated.password).toHaveLength(32);
    expect(rotated.password).not.toBe('old');
    expect((await csms('show-secret', { secret_name: 'db' })).secret.rotation_time).toBeTypeOf('number');
  });

  it('validates rotation_period (6 h to 8760 h, <int>d|h|m|s) and requires it with auto_rotation', async () => {
    const { session } = await newSession();
    open.push(session);
    const csms = caller(session);
    for (const rotation_period of ['5h', '359m', '21599s', '8761h', '366d', '6', 'h6', '6H', '0d']) {
      expect(await codeOf(csms('create-secret', { name: 'x', secret_string: 'y', auto_rotation: true, rotation_period })), rotation_period).toBe('CSMS.0002');
    }
    expect(await codeOf(csms('create-secret', { name: 'x', secret_string: 'y', auto_rotation: true }))).toBe('CSMS.0002');
    for (const [i, rotation_period] of ['6h', '360m', '21600s', '8760h', '365d', '1d'].entries()) {
      await csms('create-secret', { name: `ok${i}`, secret_string: 'y', auto_rotation: true, rotation_period });
    }
    const { secret } = await csms('update-secret', { secret_name: 'ok0', auto_rotation: false });
    expect(secret).toMatchObject({ auto_rotation: false, next_rotation_time: null });
  });
});
