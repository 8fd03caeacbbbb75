import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readKey } from '../../../electron/core/keypairs/formats/index.js';
import { ppk } from '../../../electron/core/keypairs/formats/ppk.js';
import { fromKeyObject, type PrivateKey } from '../../../electron/core/keypairs/key.js';

let ed: PrivateKey;
let rsa: PrivateKey;
beforeAll(() => {
  ed = fromKeyObject(generateKeyPairSync('ed25519').privateKey, 't');
  rsa = fromKeyObject(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 't');
});

describe('PPK writing', () => {
  it('v3 encrypted: header order, Argon2id defaults, 64-column lines, HMAC-SHA-256', async () => {
    const text = await ppk.serializeVersion(3, rsa, { comment: 'c', passphrase: 'p' });
    const names = text
      .split('\n')
      .filter((l) => /^[A-Za-z0-9-]+: /.test(l))
      .map((l) => l.split(':')[0]);
    expect(names).toEqual([
      'PuTTY-User-Key-File-3',
      'Encryption',
      'Comment',
      'Public-Lines',
      'Key-Derivation',
      'Argon2-Memory',
      'Argon2-Passes',
      'Argon2-Parallelism',
      'Argon2-Salt',
      'Private-Lines',
      'Private-MAC',
    ]);
    expect(text).toContain('Key-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: 21\nArgon2-Parallelism: 1\n');
    expect(text.split('\n').every((l) => l.length <= 64 || l.startsWith('Private-MAC') || l.startsWith('Argon2-Salt'))).toBe(true);
    expect(/Private-MAC: ([0-9a-f]+)/.exec(text)?.[1]).toHaveLength(64);
  });

  it('v3 unencrypted has no KDF headers; v2 uses a 40-digit HMAC-SHA-1', async () => {
    const v3 = await ppk.serializeVersion(3, ed, { comment: '' });
    expect(v3).not.toContain('Key-Derivation');
    const v2 = await ppk.serializeVersion(2, ed, { comment: '' });
    expect(/Private-MAC: ([0-9a-f]+)/.exec(v2)?.[1]).toHaveLength(40);
  });

  it('pads encrypted private blobs to the AES block and leaves unencrypted ones unpadded', async () => {
    const lines = (t: string) => Buffer.from(t.split('Private-Lines: ')[1]?.split('\n').slice(1, -2).join('') ?? '', 'base64');
    expect(lines(await ppk.serializeVersion(2, ed, { comment: '', passphrase: 'x' })).length % 16).toBe(0);
    // Ed25519's private blob is a 4-byte length and the 32-byte seed.
    expect(lines(await ppk.serializeVersion(2, ed, { comment: '' })).length).toBe(36);
  });
});

describe('PPK reading', () => {
  it('verifies the MAC of unencrypted files too: an edited comment is refused', async () => {
    const text = await ppk.serializeVersion(3, ed, { comment: 'mine' });
    await expect(readKey(text.replace('Comment: mine', 'Comment: yours'))).rejects.toMatchObject({
      code: 'KPS.1003',
      message: expect.stringContaining('altered'),
    });
  });

  it('a wrong passphrase is KPS.1003; no passphrase gives the public half only', async () => {
    const text = await ppk.serializeVersion(2, rsa, { comment: 'c', passphrase: 'right' });
    await expect(readKey(text, 'wrong')).rejects.toMatchObject({ code: 'KPS.1003' });
    const pub = await readKey(text);
    expect(pub.privateKey).toBeUndefined();
    expect(pub.encrypted).toBe(true);
    expect((await readKey(text, 'right')).privateKey).toEqual(rsa);
  });

  it('accepts CRLF and CR line ends and a byte-order mark', async () => {
    const text = await ppk.serializeVersion(3, ed, { comment: 'ends', passphrase: 'p' });
    for (const variant of [text.replace(/\n/g, '\r\n'), text.replace(/\n/g, '\r'), `\uFEFF${text}`]) {
      expect((await readKey(variant, 'p')).privateKey).toEqual(ed);
    }
  });

  it('reads an Ed25519 seed written as a 33-byte mpint (0x00 prefix)', async () => {
    // Build an unencrypted v2 file by hand whose private blob carries a 0x00-prefixed seed.
    const { createHash, createHmac } = await import('node:crypto');
    const { WireWriter } = await import('../../../electron/core/keypairs/wire.js');
    const { publicBlob } = await import('../../../electron/core/keypairs/key.js');
    const seed = Buffer.concat([Buffer.alloc(1), ed.type === 'ssh-ed25519' ? ed.seed : Buffer.alloc(0)]);
    const pub = publicBlob(ed);
    const priv = new WireWriter().string(seed).toBuffer();
    const macKey = createHash('sha1').update('putty-private-key-file-mac-key').digest();
    const mac = createHmac('sha1', macKey)
      .update(new WireWriter().string('ssh-ed25519').string('none').string('x').string(pub).string(priv).toBuffer())
      .digest('hex');
    const text = [
      'PuTTY-User-Key-File-2: ssh-ed25519',
      'Encryption: none',
      'Comment: x',
      'Public-Lines: 2',
      ...(pub.toString('base64').match(/.{1,64}/g) ?? []),
      'Private-Lines: 1',
      priv.toString('base64'),
      `Private-MAC: ${mac}`,
      '',
    ].join('\n');
    expect((await readKey(text)).privateKey).toEqual(ed);
  });

  it('bounds every Argon2 parameter before deriving (KPS.1005)', async () => {
    const text = await ppk.serializeVersion(3, ed, { comment: '', passphrase: 'p' });
    for (const [re, value] of [
      [/Argon2-Memory: \d+/, 'Argon2-Memory: 4194304'],
      [/Argon2-Passes: \d+/, 'Argon2-Passes: 100000'],
      [/Argon2-Parallelism: \d+/, 'Argon2-Parallelism: 64'],
    ] as const) {
      const start = performance.now();
      await expect(readKey(text.replace(re, value), 'p')).rejects.toMatchObject({ code: 'KPS.1005' });
      expect(performance.now() - start).toBeLessThan(50);
    }
  });

  it('refuses version 1 and unknown encryptions as unsupported, a key type mismatch as malformed', async () => {
    const text = await ppk.serializeVersion(3, ed, { comment: '' });
    await expect(readKey(text.replace('File-3', 'File-1'))).rejects.toMatchObject({ code: 'KPS.1004' });
    await expect(readKey(text.replace('Encryption: none', 'Encryption: aes128-cbc'))).rejects.toMatchObject({ code: 'KPS.1004' });
    await expect(readKey(text.replace('File-3: ssh-ed25519', 'File-3: ssh-rsa'))).rejects.toMatchObject({
      code: 'KPS.1001',
      message: expect.stringContaining('does not match'),
    });
  });
});

describe('PPK comments that are not UTF-8', () => {
  it('keeps the exact comment bytes for the MAC (old PuTTY wrote code-page text)', async () => {
    const { createHash, createHmac } = await import('node:crypto');
    const { WireWriter } = await import('../../../electron/core/keypairs/wire.js');
    const { publicBlob } = await import('../../../electron/core/keypairs/key.js');
    const comment = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
    const pub = publicBlob(ed);
    const priv = new WireWriter().string(ed.type === 'ssh-ed25519' ? ed.seed : Buffer.alloc(0)).toBuffer();
    const macKey = createHash('sha1').update('putty-private-key-file-mac-key').digest();
    const mac = createHmac('sha1', macKey)
      .update(new WireWriter().string('ssh-ed25519').string('none').string(comment).string(pub).string(priv).toBuffer())
      .digest('hex');
    const head = Buffer.from(['PuTTY-User-Key-File-2: ssh-ed25519', 'Encryption: none', 'Comment: '].join('\n'));
    const tail = Buffer.from(
      ['', 'Public-Lines: 2', ...(pub.toString('base64').match(/.{1,64}/g) ?? []), 'Private-Lines: 1', priv.toString('base64'), `Private-MAC: ${mac}`, ''].join(
        '\n',
      ),
    );
    const parsed = await readKey(Buffer.concat([head, comment, tail]));
    expect(parsed.privateKey).toEqual(ed);
    expect(parsed.comment).toBe('café');
  });
});
