// Lifecycle: scheduled deletion (and real destruction when the vault opens after the date),
// cancel, alias and description updates, default keys (KMS.0211), quotas and instances.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { CMK_TABLE } from '../../../electron/core/kms/keys.js';
import { createKey, expectCode, kms, type Json } from '../../helpers/kms.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';

const DAY = 86_400_000;
afterEach(() => vi.useRealTimers());

describe('scheduled deletion', () => {
  it('schedules 7-1096 days ahead (flat response, state 4), refuses out-of-range days with KMS.1401', async () => {
    const { session } = await newSession();
    const keyId = await createKey(session);
    await expectCode(kms(session, 'schedule-key-deletion', { key_id: keyId, pending_days: '6' }), 'KMS.1401');
    await expectCode(kms(session, 'schedule-key-deletion', { key_id: keyId, pending_days: '1097' }), 'KMS.1401');
    await expectCode(kms(session, 'schedule-key-deletion', { key_id: keyId, pending_days: 'seven' }), 'KMS.1401');
    const before = Date.now();
    expect(await kms(session, 'schedule-key-deletion', { key_id: keyId, pending_days: '7' })).toEqual({ key_id: keyId, key_state: '4' });
    const info = (await kms(session, 'describe-key', { key_id: keyId })).key_info;
    expect(Number(info.scheduled_deletion_date)).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(Number(info.scheduled_deletion_date)).toBeLessThan(before + 7 * DAY + 60_000);
    session.close();
  });

  it('cancel returns the key Disabled (as the cloud does) with no deletion date', async () => {
    const { session } = await newSession();
    const keyId = await createKey(session);
    await kms(session, 'schedule-key-deletion', { key_id: keyId, pending_days: '7' });
    expect(await kms(session, 'cancel-key-deletion', { key_id: keyId })).toEqual({ key_id: keyId, key_state: '3' });
    expect((await kms(session, 'describe-key', { key_id: keyId })).key_info).toMatchObject({ key_state: '3', scheduled_deletion_date: '' });
    session.close();
  });

  it('a key whose date has passed is destroyed when the vault opens, audited as a system step; one not yet due survives', async () => {
    const { session, path } = await newSession();
    const gone = await createKey(session);
    const kept = await createKey(session);
    const { cipher_text } = await kms(session, 'encrypt-data', { key_id: gone, plain_text: 'x' });
    await kms(session, 'create-grant', { key_id: gone, grantee_principal: 'alice', operations: ['decrypt-data'] });
    await kms(session, 'schedule-key-deletion', { key_id: gone, pending_days: '7' });
    await kms(session, 'schedule-key-deletion', { key_id: kept, pending_days: '30' });
    session.close();

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * DAY);
    let s = await Session.open(path, { password: TEST_PASSWORD });
    expect(s.vault.read(CMK_TABLE, gone)).toBeDefined();
    s.close();

    vi.setSystemTime(Date.now() + 2 * DAY);
    s = await Session.open(path, { password: TEST_PASSWORD });
    expect(s.vault.read(CMK_TABLE, gone)).toBeUndefined();
    expect(s.vault.list<{ key_id: string }>('kms_grants').filter((g) => g.key_id === gone)).toEqual([]);
    expect(s.vault.read(CMK_TABLE, kept)).toBeDefined();
    await expectCode(kms(s, 'describe-key', { key_id: gone }), 'KMS.0207');
    await expectCode(kms(s, 'decrypt-data', { cipher_text }), 'KMS.0207');
    const events = await s.invoke('auditListEvents', {}, 'cli');
    const list: Json[] = events.events ?? events;
    expect(list.some((e: Json) => e.operation === 'kms destroy-key' && e.key_id === gone && e.transport === 'system')).toBe(true);
    expect(await s.invoke('auditVerify', {}, 'cli')).toMatchObject({ valid: true });
    s.close();
  });
});

describe('aliases and descriptions', () => {
  it('update-key-alias renames; an alias in use is KMS.1104; a bad alias is KMS.1101', async () => {
    const { session } = await newSession();
    const a = await createKey(session, 'AES_256', { key_alias: 'a' });
    await kms(session, 'create-key', { key_alias: 'taken' });
    expect(await kms(session, 'update-key-alias', { key_id: a, key_alias: 'fresh' })).toEqual({ key_info: { key_id: a, key_alias: 'fresh' } });
    await expectCode(kms(session, 'update-key-alias', { key_id: a, key_alias: 'taken' }), 'KMS.1104');
    await expectCode(kms(session, 'update-key-alias', { key_id: a, key_alias: 'x/default' }), 'KMS.1101');
    await expectCode(kms(session, 'update-key-alias', { key_id: a, key_alias: 'bad alias' }), 'KMS.1101');
    expect(await kms(session, 'update-key-description', { key_id: a, key_description: 'd' })).toEqual({ key_info: { key_id: a, key_description: 'd' } });
    await expectCode(kms(session, 'update-key-description', { key_id: a, key_description: 'x'.repeat(256) }), 'KMS.1103');
    session.close();
  });
});

describe('default keys', () => {
  it('kms/default is created on first use and is never disabled, scheduled, renamed, re-described, granted or rotated (KMS.0211)', async () => {
    const { session } = await newSession();
    const all = await kms(session, 'list-keys', { key_spec: 'ALL' });
    const def = all.key_details.find((k: Json) => k.key_alias === 'kms/default');
    expect(def).toMatchObject({ default_key_flag: '1', key_state: '2' });
    const key_id = def.key_id as string;
    await expectCode(kms(session, 'disable-key', { key_id }), 'KMS.0211');
    await expectCode(kms(session, 'schedule-key-deletion', { key_id, pending_days: '7' }), 'KMS.0211');
    await expectCode(kms(session, 'update-key-alias', { key_id, key_alias: 'other' }), 'KMS.0211');
    await expectCode(kms(session, 'update-key-description', { key_id, key_description: 'x' }), 'KMS.0211');
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'a', operations: ['encrypt-data'] }), 'KMS.0211');
    await expectCode(kms(session, 'enable-key-rotation', { key_id }), 'KMS.0211');
    session.close();
  });
});

describe('quotas and instances', () => {
  it('counts custom keys only; the quota (20 by default, configurable) stops create-key with KMS.1105', async () => {
    const { session } = await newSession();
    const q0 = await kms(session, 'show-user-quotas');
    expect(q0.quotas.resources).toEqual([
      { type: 'CMK', used: 0, quota: 20 },
      { type: 'grant_per_CMK', used: 0, quota: 100 },
    ]);
    await kms(session, 'update-user-quotas', { cmk_quota: '2' });
    const a = await createKey(session);
    await createKey(session, 'HMAC_256');
    await expectCode(createKey(session), 'KMS.1105');
    expect(await kms(session, 'user-instances')).toEqual({ instance_num: 2 });
    await kms(session, 'create-grant', { key_id: a, grantee_principal: 'x', operations: ['encrypt-data'] });
    expect((await kms(session, 'user-quotas')).quotas.resources).toEqual([
      { type: 'CMK', used: 2, quota: 2 },
      { type: 'grant_per_CMK', used: 1, quota: 100 },
    ]);
    await expectCode(kms(session, 'update-user-quotas', { cmk_quota: '0' }), 'KMS.0308');
    session.close();
  });
});

describe('list-keys', () => {
  it('shows AES_256 keys by default and every spec with key_spec ALL, paged by marker', async () => {
    const { session } = await newSession();
    await createKey(session, 'EC_P256');
    await createKey(session, 'HMAC_512');
    await createKey(session);
    const aes = await kms(session, 'list-keys');
    expect(aes.key_details.every((k: Json) => k.key_spec === 'AES_256')).toBe(true);
    const all = await kms(session, 'list-keys', { key_spec: 'ALL', limit: '2' });
    expect(all).toMatchObject({ total: 4, truncated: 'true', next_marker: '2' });
    const rest = await kms(session, 'list-keys', { key_spec: 'ALL', limit: '2', marker: '2' });
    expect(rest).toMatchObject({ truncated: 'false', next_marker: '' });
    expect(new Set([...all.keys, ...rest.keys]).size).toBe(4);
    await expectCode(kms(session, 'list-keys', { limit: '0' }), 'KMS.1601');
    await expectCode(kms(session, 'list-keys', { marker: '-1' }), 'KMS.1602');
    session.close();
  });
});
