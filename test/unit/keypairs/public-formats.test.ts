import { describe, expect, it } from 'vitest';
import { readKey, writeKey } from '../../../electron/core/keypairs/formats/index.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID29dl69bvPG8LV+OSgP4BzJRUqg6ZkRrXtLB10adU43';

describe('OpenSSH public key lines', () => {
  it('accepts an authorized_keys options field, comments with spaces and CRLF', async () => {
    const k = await readKey(`# mine\r\nfrom="10.0.0.1",no-pty ${ED} me at desk\r\n`);
    expect(k.format).toBe('public-openssh');
    expect(k.comment).toBe('me at desk');
  });

  it('refuses a type word that does not match the blob, and two keys in one input', async () => {
    await expect(readKey(ED.replace('ssh-ed25519 ', 'ssh-rsa '))).rejects.toMatchObject({
      code: 'KPS.1001',
      message: expect.stringContaining('blob holds ssh-ed25519'),
    });
    await expect(readKey(`${ED} a\n${ED} b\n`)).rejects.toMatchObject({ message: expect.stringContaining('more than one key') });
  });
});

describe('RFC 4716', () => {
  it('keeps every line within 72 bytes, wrapping a long comment with continuations', async () => {
    const pub = (await readKey(ED)).publicKey;
    const comment = 'ü'.repeat(60) + ' a long comment';
    const text = await writeKey('public-rfc4716', { publicKey: pub }, { comment });
    expect(text.split('\n').every((l) => Buffer.byteLength(l) <= 72)).toBe(true);
    expect(text).toMatch(/\\\n/);
    expect((await readKey(text)).comment).toBe(comment);
  });

  it('strips quotes from the comment and ignores unknown headers', async () => {
    const body = ED.split(' ')[1] as string;
    const text = `---- BEGIN SSH2 PUBLIC KEY ----\nx-made-by: test\nComment: "quoted"\n${body.slice(0, 40)}\n${body.slice(40)}\n---- END SSH2 PUBLIC KEY ----\n`;
    const k = await readKey(text);
    expect(k.comment).toBe('quoted');
    expect(k.format).toBe('public-rfc4716');
  });
});

describe('PEM armour', () => {
  it('skips text before the BEGIN line (openssl pkcs12 "Bag Attributes") but not a second block after END', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const withBag = `Bag Attributes\n    localKeyID: 01 02\nKey Attributes: <No Attributes>\n${pem}`;
    expect((await readKey(withBag)).format).toBe('pkcs8');
    await expect(readKey(`${pem}${pem}`)).rejects.toMatchObject({ code: 'KPS.1001', message: expect.stringContaining('after the END line') });
  });
});
