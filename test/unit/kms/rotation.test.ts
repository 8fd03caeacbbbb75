// Rotation: a new version encrypts, old versions keep decrypting (the ciphertext names its
// version), the interval is 30-365 days, and a due rotation happens when the vault opens.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { createKey, expectCode, kms, readKey } from '../../helpers/kms.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';

const DAY = 86_400_000;
afterEach(() => vi.useRealTimers());
/** The key version a ciphertext names (bytes 18-21 of the header, docs/ciphertext-format.md). */
const versionOf = (b64: string) => Buffer.from(b64, 'base64').readUInt32BE(18);

describe('rotate-on-demand', () => {
  it('adds a version that encrypts while the old one keeps decrypting; status counts it', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session);
    const old = (await kms(session, 'encrypt-data', { key_id, plain_text: 'before' })).cipher_text;
    const oldDek = await kms(session, 'create-datakey', { key_id });
    expect(versionOf(old)).toBe(1);
    expect(await kms(session, 'rotate-on-demand', { key_id })).toEqual({ key_id });
    const fresh = (await kms(session, 'encrypt-data', { key_id, plain_text: 'after' })).cipher_text;
    expect(versionOf(fresh)).toBe(2);
    expect((await kms(session, 'decrypt-data', { cipher_text: old })).plain_text).toBe('before');
    expect((await kms(session, 'decrypt-data', { cipher_text: fresh })).plain_text).toBe('after');
    expect((await kms(session, 'decrypt-datakey', { key_id, cipher_text: oldDek.cipher_text, datakey_cipher_length: '32' })).data_key).toBe(oldDek.plain_text);
    const status = await kms(session, 'get-key-rotation-status', { key_id });
    expect(status).toMatchObject({ key_rotation_enabled: false, rotation_interval: 365, number_of_rotations: 1 });
    expect(Number(status.last_rotation_time)).toBeGreaterThan(Date.now() - 60_000);
    session.close();
  });

  it('refuses keys that cannot rotate: imported (KMS.0312), asymmetric or HMAC (KMS.0308)', async () => {
    const { session } = await newSession();
    await expectCode(kms(session, 'rotate-on-demand', { key_id: await createKey(session, 'AES_256', { origin: 'external' }) }), 'KMS.0312');
    await expectCode(kms(session, 'rotate-on-demand', { key_id: await createKey(session, 'EC_P256') }), 'KMS.0308');
    await expectCode(kms(session, 'enable-key-rotation', { key_id: await createKey(session, 'HMAC_256') }), 'KMS.0308');
    session.close();
  });
});

describe('automatic rotation', () => {
  it('enable/disable and the 30-365 day interval (update needs rotation enabled: KMS.0313)', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session);
    await expectCode(kms(session, 'update-key-rotation-interval', { key_id, rotation_interval: 90 }), 'KMS.0313');
    expect(await kms(session, 'enable-key-rotation', { key_id })).toEqual({});
    expect((await kms(session, 'describe-key', { key_id })).key_info.key_rotation_enabled).toBe('true');
    await expectCode(kms(session, 'update-key-rotation-interval', { key_id, rotation_interval: 29 }), 'KMS.0308');
    await expectCode(kms(session, 'update-key-rotation-interval', { key_id, rotation_interval: 366 }), 'KMS.0308');
    await kms(session, 'update-key-rotation-interval', { key_id, rotation_interval: 30 });
    expect(await kms(session, 'show-key-rotation-status', { key_id })).toMatchObject({
      key_rotation_enabled: true,
      rotation_interval: 30,
      last_rotation_time: '',
      number_of_rotations: 0,
    });
    await kms(session, 'disable-key-rotation', { key_id });
    expect((await kms(session, 'get-key-rotation-status', { key_id })).key_rotation_enabled).toBe(false);
    await expectCode(kms(session, 'disable-key-rotation', { key_id }), 'KMS.0313');
    session.close();
  });

  it('a rotation that fell due while the vault was closed runs when it opens, once, and is audited', async () => {
    const { session, path } = await newSession();
    const key_id = await createKey(session);
    const off = await createKey(session);
    const old = (await kms(session, 'encrypt-data', { key_id, plain_text: 'v1' })).cipher_text;
    await kms(session, 'enable-key-rotation', { key_id });
    await kms(session, 'update-key-rotation-interval', { key_id, rotation_interval: 30 });
    session.close();

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 29 * DAY);
    let s = await Session.open(path, { password: TEST_PASSWORD });
    expect(readKey(s, key_id).versions).toHaveLength(1);
    s.close();

    vi.setSystemTime(Date.now() + 2 * DAY);
    s = await Session.open(path, { password: TEST_PASSWORD });
    expect(readKey(s, key_id).versions).toHaveLength(2);
    expect(readKey(s, off).versions).toHaveLength(1);
    const events = (await s.invoke('auditListEvents', { operation: 'kms rotate-key' }, 'cli')).events;
    expect(events.map((e) => e.key_id)).toEqual([key_id]);
    expect(versionOf((await kms(s, 'encrypt-data', { key_id, plain_text: 'v2' })).cipher_text)).toBe(2);
    expect((await kms(s, 'decrypt-data', { cipher_text: old })).plain_text).toBe('v1');
    s.close();

    // The next one is due an interval after this rotation, not again at the next open.
    s = await Session.open(path, { password: TEST_PASSWORD });
    expect(readKey(s, key_id).versions).toHaveLength(2);
    s.close();
  });
});
