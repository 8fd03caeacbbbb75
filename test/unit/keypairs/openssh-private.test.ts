import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readArmor, writeArmor } from '../../../electron/core/keypairs/formats/armor.js';
import { readKey } from '../../../electron/core/keypairs/formats/index.js';
import { opensshPrivate } from '../../../electron/core/keypairs/formats/openssh-private.js';
import { fromKeyObject } from '../../../electron/core/keypairs/key.js';
import { WireReader } from '../../../electron/core/keypairs/wire.js';

const key = fromKeyObject(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey, 't');

/** A reader of an OpenSSH key body, moved past magic, cipher, kdf, kdf options, count and public blob. */
function atPrivateSection(body: Buffer): WireReader {
  const r = new WireReader(body, 't');
  r.bytes('magic', 15);
  r.string('cipher');
  r.string('kdf');
  r.string('kdf options');
  r.uint32('count');
  r.string('public key');
  return r;
}

describe('OpenSSH private key writing', () => {
  it('writes aes256-ctr under bcrypt with 16 rounds and a 16-byte salt, 70 columns', async () => {
    const text = await opensshPrivate.serialize(key, { comment: 'c', passphrase: 'p' });
    expect(
      text
        .split('\n')
        .slice(1, -3)
        .every((l) => l.length === 70),
    ).toBe(true);
    const r = new WireReader(readArmor(text, 't').body, 't');
    r.bytes('magic', 15);
    expect(r.name('cipher')).toBe('aes256-ctr');
    expect(r.name('kdf')).toBe('bcrypt');
    const opts = new WireReader(r.string('opts'), 't');
    expect(opts.string('salt')).toHaveLength(16);
    expect(opts.uint32('rounds')).toBe(16);
  });

  it('pads the unencrypted private section with 1, 2, 3 … to 8 bytes', async () => {
    const text = await opensshPrivate.serialize(key, { comment: 'odd' });
    const section = atPrivateSection(readArmor(text, 't').body).string('priv');
    expect(section.length % 8).toBe(0);
  });
});

describe('OpenSSH private key reading', () => {
  it('a wrong passphrase is KPS.1003', async () => {
    const text = await opensshPrivate.serialize(key, { comment: 'c', passphrase: 'right' });
    await expect(readKey(text, 'wrong')).rejects.toMatchObject({ code: 'KPS.1003' });
  });

  it('differing check values in an unencrypted file are a malformed file, naming the field', async () => {
    const text = await opensshPrivate.serialize(key, { comment: 'c' });
    const a = readArmor(text, 't');
    const body = Buffer.from(a.body);
    // The first checkint follows the private section's length, after the public blob.
    const at = atPrivateSection(body).offset + 4;
    body[at] = (body[at] as number) ^ 1;
    await expect(readKey(writeArmor(a.label, body, 70))).rejects.toMatchObject({ code: 'KPS.1001', message: expect.stringContaining('checkint') });
  });
});
