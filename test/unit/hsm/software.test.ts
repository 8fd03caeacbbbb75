import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SoftwareHsm } from '../../../electron/core/hsm/software.js';
import type { WrappedKey } from '../../../electron/core/hsm/backend.js';

describe('software HSM', () => {
  const hsm = new SoftwareHsm(randomBytes(32));

  it('wraps material so that it does not appear in the blob, and unwraps to a working handle', async () => {
    const material = randomBytes(32);
    const wrapped = hsm.wrap('aes-256', material);
    expect(Buffer.from(wrapped.split('.')[2]!, 'base64').includes(material)).toBe(false);
    const h = hsm.unwrap(wrapped);
    const iv = randomBytes(12);
    const { ciphertext, tag } = hsm.encrypt(h, iv, Buffer.from('data'), Buffer.from('aad'));
    expect(hsm.decrypt(h, iv, ciphertext, tag, Buffer.from('aad'))?.toString()).toBe('data');
    expect(hsm.decrypt(h, iv, ciphertext, tag, Buffer.from('other'))).toBeNull();
  });

  it('refuses blobs from another HSM, and altered blobs', async () => {
    const wrapped = await hsm.generate('aes-256');
    expect(() => new SoftwareHsm(randomBytes(32)).unwrap(wrapped)).toThrow(expect.objectContaining({ code: 'VAULT.0501' }));
    expect(() => hsm.unwrap(wrapped.replace('aes-256', 'hmac-sha256') as WrappedKey)).toThrow(expect.objectContaining({ code: 'VAULT.0501' }));
  });

  it('handles reveal nothing when serialised', async () => {
    const h = hsm.unwrap(await hsm.generate('hmac-sha256'));
    expect(JSON.stringify(h)).toBe('{"kind":"hmac-sha256"}');
    expect(String(h)).toBe('[KeyHandle hmac-sha256]');
  });

  it('signs with EC keys so that the exported public key verifies', async () => {
    const h = hsm.unwrap(await hsm.generate('ec-p256'));
    const sig = hsm.sign(h, Buffer.from('msg'), { hash: 'sha256' });
    expect(verify('sha256', Buffer.from('msg'), createPublicKey(hsm.publicKey(h)), sig)).toBe(true);
  });

  it('refuses operations a kind does not support', async () => {
    const h = hsm.unwrap(await hsm.generate('aes-256'));
    expect(() => hsm.mac(h, Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'KEYHOLD.0001' }));
    expect(() => hsm.sign(h, Buffer.from('x'), { hash: 'sha256' })).toThrow(expect.objectContaining({ code: 'KEYHOLD.0001' }));
  });
});
