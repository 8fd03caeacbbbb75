import { describe, expect, it } from 'vitest';
import { Fail, scripted } from '../testing/fake-transport.js';
import { KeyDataManager } from './key-data.svelte.js';
import { KeyGrantsManager } from './key-grants.svelte.js';
import { KeyTagsManager } from './key-tags.svelte.js';

describe('KeyGrantsManager', () => {
  it('sends only the fields given, trimmed, and lists the grants again', async () => {
    const { client, calls } = scripted({
      createGrant: () => ({ grant_id: 'g'.repeat(64) }),
      listGrants: () => ({ grants: [], next_marker: '', truncated: 'false', total: 0 }),
    });
    const m = new KeyGrantsManager(client);
    await m.load('k1');
    expect(await m.create({ grantee: ' auditor01 ', operations: ['decrypt-data'], name: '', retiringPrincipal: '' })).toBe('g'.repeat(64));
    expect(calls.find((c) => c.op === 'createGrant')?.input).toEqual({ key_id: 'k1', grantee_principal: 'auditor01', operations: ['decrypt-data'] });
    expect(calls.filter((c) => c.op === 'listGrants')).toHaveLength(2);
  });
});

describe('KeyTagsManager', () => {
  it('adds a tag and shows the refusal in words when the core says no', async () => {
    const { client } = scripted({ createKmsTag: () => new Fail('KMS.2803', 'Invalid tag key.'), showKmsTags: () => ({ tags: [], existTagsNum: 0 }) });
    const m = new KeyTagsManager(client);
    await m.load('k1');
    expect(await m.add('bad key!', '')).toBe(false);
    expect(m.task.error).toContain('Invalid tag key');
  });
});

describe('KeyDataManager', () => {
  it('asks for a data key in bits and decrypts it with its length in bytes, as the cloud does', async () => {
    const { client, calls } = scripted({
      createDatakey: () => ({ key_id: 'k1', plain_text: 'aa'.repeat(32), cipher_text: 'CC' }),
      decryptDatakey: () => ({ data_key: 'aa'.repeat(32), datakey_length: '32', datakey_dgst: 'dd' }),
    });
    const m = new KeyDataManager(client);
    await m.createDataKey('k1', 256);
    expect(calls[0]?.input).toEqual({ key_id: 'k1', datakey_length: '256' });
    await m.decryptDataKey('k1', ' CC ', 256);
    expect(calls[1]?.input).toEqual({ key_id: 'k1', cipher_text: 'CC', datakey_cipher_length: '32' });
    expect(m.decryptedDataKey?.hex).toBe('aa'.repeat(32));
    m.onLock();
    expect(m.dataKey).toBeNull();
    expect(m.decryptedDataKey).toBeNull();
  });

  it('sends the MAC message as base64 of its UTF-8 bytes and clears the verdict on a new attempt', async () => {
    const { client, calls } = scripted({
      generateMac: () => ({ key_id: 'k1', mac_algorithm: 'HMAC_SHA_256', mac: 'ab' }),
      verifyMac: () => ({ key_id: 'k1', mac_algorithm: 'HMAC_SHA_256', mac_valid: true }),
    });
    const m = new KeyDataManager(client);
    await m.verifyMac('k1', 'HMAC_SHA_256', 'é', 'ab');
    expect(m.macValid).toBe(true);
    expect(calls[0]?.input).toMatchObject({ message: 'w6k=' });
    await m.generateMac('k1', 'HMAC_SHA_256', 'é');
    expect(m.macValid).toBeNull();
    expect(m.mac).toBe('ab');
  });
});
