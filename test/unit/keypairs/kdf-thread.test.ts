/**
 * The KDF thread (electron/core/keypairs/kdf-thread.ts): its bcrypt_pbkdf is the package's own,
 * byte for byte, and concurrent calls get their own answers; an encrypted PKCS#8 file opens to
 * the same key, a wrong passphrase is `null`; and the event loop keeps turning while it works.
 * Key-file Argon2 runs one derivation at a time (kdf.ts), so hostile files cannot multiply memory.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { argon2Raw } from '../../../electron/core/keypairs/kdf.js';
import { bcryptPbkdfOffLoop, openPemOffLoop } from '../../../electron/core/keypairs/kdf-thread.js';

interface BcryptPbkdf {
  pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number;
}
const bcrypt = createRequire(import.meta.url)('bcrypt-pbkdf') as BcryptPbkdf;

function direct(pass: string, salt: Buffer, rounds: number, len: number): Buffer {
  const p = Buffer.from(pass);
  const out = Buffer.alloc(len);
  bcrypt.pbkdf(p, p.length, salt, salt.length, out, len, rounds);
  return out;
}

describe('KDF thread', () => {
  it("bcrypt_pbkdf: the package's output, for concurrent calls each its own", async () => {
    const jobs = [1, 2, 3, 4].map((i) => ({ pass: `pass ${i} ünï`, salt: Buffer.alloc(16, i), rounds: i * 2, len: 32 + i * 8 }));
    const got = await Promise.all(jobs.map((j) => bcryptPbkdfOffLoop(j.pass, j.salt, j.rounds, j.len)));
    jobs.forEach((j, i) => expect(got[i]?.toString('hex')).toBe(direct(j.pass, j.salt, j.rounds, j.len).toString('hex')));
  });

  it('the event loop turns while bcrypt runs on the thread', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await bcryptPbkdfOffLoop('pw', Buffer.alloc(16, 7), 32, 48);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });

  it('opens an encrypted PKCS#8 file to the same key; a wrong passphrase is null', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'right' }) as string;
    const der = await openPemOffLoop(pem, 'right');
    expect(der).not.toBeNull();
    expect(createPrivateKey({ key: der as Buffer, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' })).toEqual(privateKey.export({ format: 'jwk' }));
    expect(await openPemOffLoop(pem, 'wrong')).toBeNull();
  });
});

describe('key-file Argon2', () => {
  it('runs one derivation at a time: a tiny one queued behind a large one ends after it', async () => {
    const order: string[] = [];
    const large = argon2Raw('Argon2id', 'a', Buffer.alloc(16, 1), { memoryKiB: 64 * 1024, passes: 4, parallelism: 1 }, 32).then(() => order.push('large'));
    const tiny = argon2Raw('Argon2id', 'b', Buffer.alloc(16, 2), { memoryKiB: 8, passes: 1, parallelism: 1 }, 32).then(() => order.push('tiny'));
    await Promise.all([large, tiny]);
    expect(order).toEqual(['large', 'tiny']);
  });

  it('a failed derivation does not stop the queue', async () => {
    await expect(argon2Raw('Argon2id', 'a', Buffer.alloc(1), { memoryKiB: 8, passes: 1, parallelism: 1 }, 32)).rejects.toThrow();
    expect((await argon2Raw('Argon2id', 'a', Buffer.alloc(16), { memoryKiB: 8, passes: 1, parallelism: 1 }, 32)).length).toBe(32);
  });
});
