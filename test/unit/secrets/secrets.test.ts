import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';
import { caller, codeOf, type Call } from './helpers.js';

let session: Session;
let path: string;
let csms: Call;

beforeEach(async () => {
  ({ session, path } = await newSession());
  csms = caller(session);
});
afterEach(() => session.close());

const DAY = 24 * 3600 * 1000;

describe('secrets', () => {
  it('creates a secret under csms/default, created on first use', async () => {
    const { secret } = await csms('create-secret', { name: 'db', secret_string: 'pw', description: 'the db' });
    expect(secret).toMatchObject({
      name: 'db',
      state: 'ENABLED',
      description: 'the db',
      secret_type: 'COMMON',
      scheduled_delete_time: null,
      auto_rotation: false,
    });
    const keys = await caller(session, 'kms')('list-keys', {});
    const def = keys.key_details.find((k: { key_alias: string }) => k.key_alias === 'csms/default');
    expect(def.key_id).toBe(secret.kms_key_id);
    expect((await csms('show-secret', { secret_name: 'db' })).secret).toEqual(secret);
  });

  it('validates names like the cloud (1-64 of a-z A-Z 0-9 _ -) and refuses a taken one', async () => {
    await csms('create-secret', { name: 'a'.repeat(64), secret_string: 'x' });
    for (const name of ['', 'a'.repeat(65), 'has space', 'dot.ted', 'slash/y']) {
      expect(await codeOf(csms('create-secret', { name, secret_string: 'x' }))).toBe('CSMS.0002');
    }
    expect(await codeOf(csms('create-secret', { secret_string: 'x' }))).toBe('CSMS.0002');
    await csms('create-secret', { name: 'taken', secret_string: 'x' });
    expect(await codeOf(csms('create-secret', { name: 'taken', secret_string: 'y' }))).toBe('CSMS.0002');
    expect(await codeOf(csms('show-secret', { secret_name: 'nope' }))).toBe('CSMS.0106');
  });

  it('pages secrets in name order with the last name as marker, at the boundaries too', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `s${i}`);
    await csms('batch-import-secrets', { secrets: names.map((name) => ({ name, secret_string: name })) });
    const p1 = await csms('list-secrets', { limit: 3 });
    expect(p1.secrets.map((s: { name: string }) => s.name)).toEqual(['s0', 's1', 's2']);
    expect(p1.page_info).toEqual({ next_marker: 's2', current_count: 3 });
    const p2 = await csms('list-secrets', { limit: 3, marker: 's2' });
    expect(p2.secrets.map((s: { name: string }) => s.name)).toEqual(['s3', 's4', 's5']);
    expect(p2.page_info).toEqual({ next_marker: 's5', previous_marker: 's2', current_count: 3 });
    const p3 = await csms('list-secrets', { limit: 3, marker: 's5' });
    expect(p3.secrets.map((s: { name: string }) => s.name)).toEqual(['s6']);
    expect(p3.page_info).toEqual({ previous_marker: 's5', current_count: 1 });
    // A page that ends exactly at the last secret has no next marker.
    expect((await csms('list-secrets', { limit: 7 })).page_info).toEqual({ current_count: 7 });
    // A marker past the end, or between names, still works.
    expect((await csms('list-secrets', { marker: 'zzz' })).secrets).toEqual([]);
    expect((await csms('list-secrets', { limit: 2, marker: 's3a' })).secrets.map((s: { name: string }) => s.name)).toEqual(['s4', 's5']);
    expect(await codeOf(csms('list-secrets', { limit: 0 }))).toBe('CSMS.0002');
    expect(await codeOf(csms('list-secrets', { limit: 1001 }))).toBe('CSMS.0002');
  });

  it('pages a filtered list (event_name) across fetch chunks', async () => {
    await csms('create-secret-event', {
      name: 'ops',
      event_types: ['SECRET_DELETED'],
      state: 'ENABLED',
      notification: { target_type: 'SMN', target_id: 'urn:smn:local:ops', target_name: 'ops' },
    });
    const subscribed = new Set(['s1', 's4', 's5']);
    await csms('batch-import-secrets', {
      secrets: Array.from({ length: 7 }, (_, i) => ({ name: `s${i}`, secret_string: 'x', event_subscriptions: subscribed.has(`s${i}`) ? ['ops'] : [] })),
    });
    const p1 = await csms('list-secrets', { limit: 2, event_name: 'ops' });
    expect(p1.secrets.map((s: { name: string }) => s.name)).toEqual(['s1', 's4']);
    expect(p1.page_info).toEqual({ next_marker: 's4', current_count: 2 });
    const p2 = await csms('list-secrets', { limit: 2, event_name: 'ops', marker: 's4' });
    expect(p2.secrets.map((s: { name: string }) => s.name)).toEqual(['s5']);
    expect(p2.page_info).toEqual({ previous_marker: 's4', current_count: 1 });
  });

  it('lists without decrypting any value', async () => {
    await csms('batch-import-secrets', { secrets: [1, 2, 3].map((i) => ({ name: `s${i}`, secret_string: `v${i}` })) });
    const decrypt = vi.spyOn(session.hsm, 'open');
    expect((await csms('list-secrets', {})).secrets).toHaveLength(3);
    await csms('list-secret-versions', { secret_name: 's1' });
    await csms('show-secret', { secret_name: 's1' });
    expect(decrypt).not.toHaveBeenCalled();
    await csms('show-secret-version', { secret_name: 's1', version_id: 'latest' });
    expect(decrypt).toHaveBeenCalledTimes(1);
  });

  it('changing the CMK re-wraps every version without changing values or value ciphertexts', async () => {
    await csms('create-secret', { name: 'db', secret_string: 'one' });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'two' });
    const before = session.vault.list<{ ct: string; data_key: { key_id: string } }>('csms_versions');
    const { key_info } = await caller(session, 'kms')('create-key', { key_alias: 'secrets-key' });
    const { secret } = await csms('update-secret', { secret_name: 'db', kms_key_id: key_info.key_id });
    expect(secret.kms_key_id).toBe(key_info.key_id);
    const after = session.vault.list<{ ct: string; data_key: { key_id: string } }>('csms_versions');
    expect(after.map((v) => v.ct)).toEqual(before.map((v) => v.ct));
    expect(after.every((v) => v.data_key.key_id === key_info.key_id)).toBe(true);
    expect(before.every((v) => v.data_key.key_id !== key_info.key_id)).toBe(true);
    const versions = await csms('list-secret-versions', { secret_name: 'db' });
    expect(versions.version_metadatas.every((v: { kms_key_id: string }) => v.kms_key_id === key_info.key_id)).toBe(true);
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'v1' })).version.secret_string).toBe('one');
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'v2' })).version.secret_string).toBe('two');
    // A disabled CMK cannot protect or reveal secrets.
    await caller(session, 'kms')('disable-key', { key_id: key_info.key_id });
    expect(await codeOf(csms('show-secret-version', { secret_name: 'db', version_id: 'v1' }))).toBe('CSMS.0002');
    expect(await codeOf(csms('create-secret', { name: 'x', secret_string: 'y', kms_key_id: '00000000-0000-0000-0000-000000000000' }))).toBe('CSMS.0005');
  });

  it('schedules deletion (7-30 days), refuses use while pending, restores, and deletes when due', async () => {
    let now = Date.UTC(2026, 0, 1);
    session.close();
    session = await Session.open(path, { password: TEST_PASSWORD }, { now: () => now });
    csms = caller(session);
    await csms('create-secret', { name: 'db', secret_string: 'pw' });
    expect(await codeOf(csms('delete-secret-for-schedule', { secret_name: 'db', recovery_window_in_days: 6 }))).toBe('CSMS.0002');
    expect(await codeOf(csms('delete-secret-for-schedule', { secret_name: 'db', recovery_window_in_days: 31 }))).toBe('CSMS.0002');
    expect(await codeOf(csms('restore-secret', { secret_name: 'db' }))).toBe('CSMS.0108');
    const { secret } = await csms('delete-secret-for-schedule', { secret_name: 'db', recovery_window_in_days: 7 });
    expect(secret).toMatchObject({ state: 'PENDING_DELETE', scheduled_delete_time: now + 7 * DAY });
    expect(await codeOf(csms('delete-secret-for-schedule', { secret_name: 'db' }))).toBe('CSMS.0107');
    expect(await codeOf(csms('show-secret-version', { secret_name: 'db', version_id: 'latest' }))).toBe('CSMS.0103');
    expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_string: 'x' }))).toBe('CSMS.0103');
    const restored = await csms('restore-secret', { secret_name: 'db' });
    expect(restored.secret).toMatchObject({ state: 'ENABLED', scheduled_delete_time: null });
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'latest' })).version.secret_string).toBe('pw');

    // Scheduled again, and the window passes while the vault is closed: gone on the next open.
    await csms('delete-secret-for-schedule', { secret_name: 'db', recovery_window_in_days: 7 });
    session.close();
    now += 7 * DAY + 1;
    session = await Session.open(path, { password: TEST_PASSWORD }, { now: () => now });
    csms = caller(session);
    expect(await codeOf(csms('show-secret', { secret_name: 'db' }))).toBe('CSMS.0106');
    expect(session.vault.ids('csms_versions')).toEqual([]);
    const events = await caller(session, 'audit')('list-events', { operation: 'csms scheduled-delete-secret' });
    expect(events.events[0]).toMatchObject({ transport: 'system', outcome: 'success', fields: { secret_name: 'db' } });
  });

  it('delete-secret removes the secret and its versions at once', async () => {
    await csms('create-secret', { name: 'db', secret_string: 'pw' });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'pw2' });
    expect(await csms('delete-secret', { secret_name: 'db' })).toEqual({});
    expect(session.vault.ids('csms_secrets')).toEqual([]);
    expect(session.vault.ids('csms_versions')).toEqual([]);
    expect(await codeOf(csms('delete-secret', { secret_name: 'db' }))).toBe('CSMS.0106');
  });

  it('batch-import creates the valid items and lists the others', async () => {
    await csms('create-secret', { name: 'exists', secret_string: 'x' });
    const r = await csms('batch-import-secrets', {
      secrets: [
        { name: 'a', secret_string: '1' },
        { name: 'exists', secret_string: '2' },
        { name: 'bad name', secret_string: '3' },
        { name: 'b', secret_binary: 'AAEC' },
      ],
    });
    expect(r).toMatchObject({ total: 4, success: 2, failed: 2 });
    expect(r.error_list.map((e: { name: string }) => e.name)).toEqual(['exists', 'bad name']);
    expect(r.error_list[0].error_msg).toMatch(/^CSMS\.0002: /);
    expect((await csms('list-secrets', {})).secrets.map((s: { name: string }) => s.name)).toEqual(['a', 'b', 'exists']);
  });

  it('never writes secret values into the audit log', async () => {
    await csms('create-secret', { name: 'db', secret_string: 'super-secret-value' });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'another-secret-value' });
    await csms('show-secret-version', { secret_name: 'db', version_id: 'latest' });
    const rows = session.vault.db.prepare<[], { entry: string }>('SELECT entry FROM audit').all();
    const text = rows.map((r) => r.entry).join('\n');
    expect(text).toContain('create-secret-version');
    expect(text).not.toContain('secret-value');
  });
});

describe('due work that fails', () => {
  it('does not stop the vault from opening: it is audited with its code and the rest still runs', async () => {
    const now = Date.UTC(2026, 0, 1);
    const { session: first, path: p } = await newSession();
    first.close();
    let s = await Session.open(p, { password: TEST_PASSWORD }, { now: () => now });
    await caller(s)('create-secret', { name: 'broken', secret_string: 'x' });
    await caller(s)('create-secret', { name: 'fine', secret_string: 'y' });
    await caller(s)('delete-secret-for-schedule', { secret_name: 'broken', recovery_window_in_days: 7 });
    await caller(s)('delete-secret-for-schedule', { secret_name: 'fine', recovery_window_in_days: 7 });
    // Damage the sealed body of one secret in place (same revision, so unlock's checks pass).
    const row = s.vault.db.prepare<[], { body: Buffer }>("SELECT body FROM records WHERE tbl = 'csms_secrets' AND id = 'broken'").get();
    const body = Buffer.from(row?.body ?? Buffer.alloc(0));
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1;
    s.vault.db.prepare("UPDATE records SET body = ? WHERE tbl = 'csms_secrets' AND id = 'broken'").run(body);
    s.close();
    s = await Session.open(p, { password: TEST_PASSWORD }, { now: () => now + 8 * DAY });
    try {
      expect(await codeOf(caller(s)('show-secret', { secret_name: 'fine' }))).toBe('CSMS.0106');
      const events = await caller(s, 'audit')('list-events', { operation: 'csms scheduled-delete-secret' });
      expect(events.events.map((e: { outcome: string; fields: { secret_name: string } }) => [e.fields.secret_name, e.outcome]).sort()).toEqual([
        ['broken', 'VAULT.0501'],
        ['fine', 'success'],
      ]);
    } finally {
      s.close();
    }
  });
});
