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
    const sealed = hsm.seal(h, Buffer.from('data'), Buffer.from('aad'));
    expect(hsm.open(h, sealed, Buffer.from('aad'))?.toString()).toBe('data');
    expect(hsm.open(h, sealed, Buffer.from('other'))).toBeNull();
  });

  it('draws its own IV for every seal: two seals of the same plaintext never share one, and no caller can pass one', async () => {
    const h = hsm.unwrap(await hsm.generate('aes-256'));
    const plain = Buffer.from('the same plaintext');
    const ivs = new Set(Array.from({ length: 256 }, () => hsm.seal(h, plain, Buffer.from('aad')).iv.toString('hex')));
    expect(ivs.size).toBe(256);
    // The signature has no IV parameter: an IV given where the AAD goes is bound as AAD, never used as the nonce.
    const chosen = Buffer.alloc(12, 7);
    // @ts-expect-error seal takes (handle, plaintext, aad): there is no IV to pass
    const sealed = hsm.seal(h, plain, Buffer.from('aad'), chosen);
    expect(sealed.iv.equals(chosen)).toBe(false);
    expect(hsm.seal.length).toBe(3);
  });

  it('seals with an AAD made from the IV it drew, and opens only under that AAD', async () => {
    const h = hsm.unwrap(await hsm.generate('aes-256'));
    let seen: Buffer | undefined;
    const sealed = hsm.seal(h, Buffer.from('x'), (iv) => {
      seen = Buffer.from(iv);
      return Buffer.concat([Buffer.from('hdr'), iv]);
    });
    expect(seen?.equals(sealed.iv)).toBe(true);
    expect(hsm.open(h, sealed, Buffer.concat([Buffer.from('hdr'), sealed.iv]))?.toString()).toBe('x');
    expect(hsm.open(h, sealed, Buffer.from('hdr'))).toBeNull();
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
