// crypto/aead.ts owns the nonce: every seal draws a fresh IV, and the result opens with
// node:crypto directly (the bytes are plain AES-256-GCM, not something only aead.ts reads).
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatSealed, gcmOpen, gcmSeal, GCM_IV_BYTES, splitSealed } from '../../../electron/core/crypto/aead.js';

describe('aead', () => {
  const key = randomBytes(32);

  it('never gives two seals of the same plaintext the same IV', () => {
    const plain = Buffer.from('same');
    const ivs = new Set(Array.from({ length: 512 }, () => gcmSeal(key, plain).iv.toString('hex')));
    expect(ivs.size).toBe(512);
  });

  it('takes no IV from its caller', () => {
    const chosen = Buffer.alloc(GCM_IV_BYTES, 1);
    // @ts-expect-error gcmSeal takes (key, plaintext, aad): there is no IV to pass
    expect(gcmSeal(key, Buffer.from('x'), undefined, chosen).iv.equals(chosen)).toBe(false);
    expect(gcmSeal.length).toBe(3);
  });

  it('is plain AES-256-GCM: node:crypto opens it with the IV it returns', () => {
    const aad = Buffer.from('bound');
    const s = gcmSeal(key, Buffer.from('hello'), aad);
    const d = createDecipheriv('aes-256-gcm', key, s.iv).setAAD(aad).setAuthTag(s.tag);
    expect(Buffer.concat([d.update(s.ciphertext), d.final()]).toString()).toBe('hello');
  });

  it('binds an AAD made from its own IV, and the one-buffer form round-trips', () => {
    const s = gcmSeal(key, Buffer.from('v'), (iv) => Buffer.concat([Buffer.from('h'), iv]));
    const again = splitSealed(concatSealed(s));
    expect(again && gcmOpen(key, again, Buffer.concat([Buffer.from('h'), s.iv]))?.toString()).toBe('v');
    expect(again && gcmOpen(key, again, Buffer.from('h'))).toBeNull();
    expect(splitSealed(Buffer.alloc(27))).toBeNull();
  });
});
