/**
 * The key tools by content (`kps inspect/convert --key-text`, `windows-password
 * --private-key-text`), what the app sends in web mode: run as a transport runs them (the
 * registry's declaration validates, then the offline handler), through the same readers as a
 * file. Hostile content ends in a typed error naming the field or the format, before any costly
 * work; the size bound holds before anything is parsed.
 */
import { generateKeyPairSync, publicEncrypt, constants } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../../shared/errors.js';
import { MAX_KEY_TEXT_CHARS } from '../../../shared/operations/kps.js';
import { findOperation, runOffline } from '../../../electron/core/api/index.js';
import { readKey, writeKey } from '../../../electron/core/keypairs/formats/index.js';
import { readArmor, writeArmor } from '../../../electron/core/keypairs/formats/armor.js';
import { der, int, octets, oid, seq } from '../../../electron/core/keypairs/der.js';
import { fromKeyObject, type PrivateKey } from '../../../electron/core/keypairs/key.js';
import { cpuClock } from '../../helpers/cpu-time.js';

const PASS = 'content pass';

async function run(name: 'inspect' | 'convert' | 'windows-password', input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const op = findOperation('kps', name);
  if (!op) throw new Error(`no kps ${name}`);
  const done = await runOffline(op, input);
  if (!done) throw new Error(`kps ${name} asked for the vault`);
  return done.result as Record<string, unknown>;
}

/** The KeyholdError a call ends in (and its CPU time), or a failure when it succeeds or throws anything else. */
async function refusal(
  name: 'inspect' | 'convert' | 'windows-password',
  input: Record<string, unknown>,
): Promise<{ code: string; message: string; cpuMs: number }> {
  const cpuMs = cpuClock();
  try {
    await run(name, input);
  } catch (e) {
    if (!(e instanceof KeyholdError)) throw new Error(`not a KeyholdError: ${String(e)}`);
    return { code: e.code, message: e.message, cpuMs: cpuMs() };
  }
  throw new Error('the call succeeded');
}

let rsa: PrivateKey;
let ed: PrivateKey;
let rsaPublicPem: string;
let ppk3Encrypted: string;
let opensshEncrypted: string;
let pemPlain: string;

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  rsaPublicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  rsa = fromKeyObject(pair.privateKey, 'rsa test');
  ed = fromKeyObject(generateKeyPairSync('ed25519').privateKey, 'ed test');
  ppk3Encrypted = await writeKey('ppk3', { publicKey: ed, privateKey: ed }, { comment: 'me@host', passphrase: PASS });
  opensshEncrypted = await writeKey('openssh', { publicKey: ed, privateKey: ed }, { comment: 'me@host', passphrase: PASS });
  pemPlain = await writeKey('pem', { publicKey: rsa, privateKey: rsa }, { comment: '' });
});

describe('inspect and convert by content', () => {
  it('inspect reads pasted text as it reads the file: an encrypted PPK v3 shows its public half without the passphrase', async () => {
    const r = await run('inspect', { key_text: ppk3Encrypted });
    expect(r).toMatchObject({ format: 'ppk3', key_type: 'ssh-ed25519', bits: 256, comment: 'me@host', encrypted: true });
    expect(r.fingerprint).toMatch(/^SHA256:/);
    expect(r.md5_fingerprint).toMatch(/^MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });

  it('convert without out returns the key as key_text, keeping the passphrase by default', async () => {
    const r = await run('convert', { key_text: ppk3Encrypted, passphrase: PASS, to: 'openssh' });
    expect(r).toMatchObject({ format: 'openssh', encrypted: true, comment: 'me@host' });
    const text = r.key_text as string;
    expect(text).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    const back = await readKey(text, PASS);
    expect(back.privateKey).toBeDefined();
    expect((await readKey(text)).privateKey).toBeUndefined(); // encrypted: not without the passphrase
    await expect(readKey(text, 'wrong')).rejects.toMatchObject({ code: 'KPS.1003' });
  });

  it('convert changes or removes the passphrase when told to', async () => {
    const changed = await run('convert', { key_text: opensshEncrypted, passphrase: PASS, to: 'pkcs8', new_passphrase: 'another one' });
    expect(changed.encrypted).toBe(true);
    expect((await readKey(changed.key_text as string, 'another one')).privateKey).toBeDefined();
    await expect(readKey(changed.key_text as string, PASS)).rejects.toMatchObject({ code: 'KPS.1003' });
    const clear = await run('convert', { key_text: opensshEncrypted, passphrase: PASS, to: 'ppk2', no_passphrase: true });
    expect(clear).toMatchObject({ format: 'ppk2', encrypted: false });
    expect((await readKey(clear.key_text as string)).privateKey).toBeDefined();
  });

  it('a public format needs no passphrase; a private one asks for it (KPS.1002)', async () => {
    const pub = await run('convert', { key_text: opensshEncrypted, to: 'public-openssh' });
    expect(pub.key_text).toMatch(/^ssh-ed25519 AAAA/);
    expect((await refusal('convert', { key_text: opensshEncrypted, to: 'ppk3' })).code).toBe('KPS.1002');
  });

  it('a path and content at once, or neither, are refused naming the fields', async () => {
    const both = await refusal('inspect', { in: '/etc/hostname', key_text: pemPlain });
    expect(both).toMatchObject({ code: 'KPS.0002', message: expect.stringContaining('key_text') });
    const neither = await refusal('convert', { to: 'pem' });
    expect(neither).toMatchObject({ code: 'KPS.0001', message: expect.stringMatching(/\bin\b.*key_text/) });
  });

  it('oversize content is refused by the declaration, naming key_text, before anything is parsed', async () => {
    const huge = `-----BEGIN OPENSSH PRIVATE KEY-----\n${'A'.repeat(MAX_KEY_TEXT_CHARS)}\n-----END OPENSSH PRIVATE KEY-----\n`;
    for (const name of ['inspect', 'convert'] as const) {
      const r = await refusal(name, { key_text: huge, to: 'pem' });
      expect(r.code).toBe('KPS.0002');
      expect(r.message).toContain('key_text');
    }
    const r = await refusal('windows-password', { password_blob: 'QUJD', private_key_text: huge });
    expect(r).toMatchObject({ code: 'KPS.0002', message: expect.stringContaining('private_key_text') });
  });

  it('garbage is KPS.1006, and an empty text is a missing-or-invalid field', async () => {
    expect((await refusal('inspect', { key_text: 'hello, I am not a key' })).code).toBe('KPS.1006');
    expect((await refusal('convert', { key_text: '\u0000\u00ff'.repeat(100), to: 'openssh' })).code).toBe('KPS.1006');
    expect((await refusal('inspect', { key_text: '' })).code).toMatch(/^KPS\.000[12]$/);
  });
});

describe('costly KDF parameters in content are refused before any work (KPS.1005)', () => {
  it('PPK v3 asking for 4 GiB of Argon2 memory', async () => {
    const hostile = ppk3Encrypted.replace(/Argon2-Memory: \d+/, 'Argon2-Memory: 4194304');
    for (const [name, input] of [
      ['inspect', { key_text: hostile, passphrase: PASS }],
      ['convert', { key_text: hostile, passphrase: PASS, to: 'openssh' }],
    ] as const) {
      const r = await refusal(name, input);
      expect(r.code).toBe('KPS.1005');
      expect(r.message).toMatch(/Argon2/);
      expect(r.cpuMs).toBeLessThan(100);
    }
  });

  it('OpenSSH bcrypt rounds of 2^32-1', async () => {
    const a = readArmor(opensshEncrypted, 'seed');
    const at = a.body.indexOf(Buffer.from('bcrypt')) + 6 + 4 + 4 + 16;
    const body = Buffer.from(a.body);
    body.writeUInt32BE(0xffffffff, at);
    const r = await refusal('convert', { key_text: writeArmor(a.label, body, 70), passphrase: PASS, to: 'ppk3' });
    expect(r.code).toBe('KPS.1005');
    expect(r.cpuMs).toBeLessThan(100);
  });

  it('PKCS#8 asking for 2^31-1 PBKDF2 iterations, as a Windows-password key', async () => {
    const info = seq(
      seq(
        oid('1.2.840.113549.1.5.13'),
        seq(
          seq(oid('1.2.840.113549.1.5.12'), seq(octets(Buffer.alloc(8, 1)), int(Buffer.from([0x7f, 0xff, 0xff, 0xff])))),
          seq(oid('2.16.840.1.101.3.4.1.42'), octets(Buffer.alloc(16, 2))),
        ),
      ),
      der(0x04, Buffer.alloc(48, 3)),
    );
    const blob = publicEncrypt({ key: rsaPublicPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('x')).toString('base64');
    const r = await refusal('windows-password', { password_blob: blob, private_key_text: writeArmor('ENCRYPTED PRIVATE KEY', info, 64), passphrase: PASS });
    expect(r.code).toBe('KPS.1005');
    expect(r.cpuMs).toBeLessThan(100);
  });
});

describe('windows-password by content', () => {
  it('decrypts a blob with a pasted private key, needing no vault', async () => {
    const blob = publicEncrypt({ key: rsaPublicPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('Adm1n-Pässw0rd')).toString('base64');
    expect(await run('windows-password', { password_blob: blob, private_key_text: pemPlain })).toEqual({ password: 'Adm1n-Pässw0rd' });
  });

  it('takes exactly one key source', async () => {
    const blob = publicEncrypt({ key: rsaPublicPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('x')).toString('base64');
    const none = await refusal('windows-password', { password_blob: blob });
    expect(none).toMatchObject({ code: 'KPS.0002', message: expect.stringContaining('private_key_text') });
    const two = await refusal('windows-password', { password_blob: blob, private_key_text: pemPlain, private_key: '/etc/hostname' });
    expect(two.code).toBe('KPS.0002');
  });

  it('an encrypted pasted key without its passphrase asks for it; a non-RSA key is named', async () => {
    const blob = publicEncrypt({ key: rsaPublicPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('x')).toString('base64');
    expect((await refusal('windows-password', { password_blob: blob, private_key_text: opensshEncrypted })).code).toBe('KPS.1002');
    expect((await refusal('windows-password', { password_blob: blob, private_key_text: opensshEncrypted, passphrase: PASS })).code).toBe('KPS.2001');
  });
});
