import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rsaPkcs1v15Decrypt } from '../../../electron/core/keypairs/legacy/rsa-pkcs1v15-decrypt.js';
import { decodeBlob, decryptWindowsPassword } from '../../../electron/core/keypairs/windows-password.js';
import { fromKeyObject } from '../../../electron/core/keypairs/key.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const K = 256;

/** Encrypts a hand-built encoded message with raw RSA, so any padding can be tested. */
function raw(em: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em);
}

function em(message: Buffer, psLength = K - 3 - message.length, lead = [0, 2]): Buffer {
  const ps = Buffer.alloc(psLength);
  for (let i = 0; i < psLength; i++) ps[i] = 1 + ((randomBytes(1)[0] as number) % 255);
  const out = Buffer.concat([Buffer.from(lead), ps, Buffer.alloc(1), message]);
  return Buffer.concat([out, Buffer.alloc(Math.max(0, K - out.length), 1)]).subarray(0, K);
}

describe('EME-PKCS1-v1_5 decryption (legacy)', () => {
  it("recovers the message of a well-formed block, and of Node's own v1.5 encryption", () => {
    expect(rsaPkcs1v15Decrypt(privateKey, raw(em(Buffer.from('secret'))))?.toString()).toBe('secret');
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('hunter2'));
    expect(rsaPkcs1v15Decrypt(privateKey, ct)?.toString()).toBe('hunter2');
  });

  it('refuses a short padding string, a wrong block type and a missing separator', () => {
    const msg = Buffer.from('m');
    expect(
      rsaPkcs1v15Decrypt(privateKey, raw(Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(7, 1), Buffer.alloc(1), Buffer.alloc(K - 10, 0x41)]))),
    ).toBeNull();
    expect(rsaPkcs1v15Decrypt(privateKey, raw(em(msg, K - 4, [0, 1])))).toBeNull();
    expect(rsaPkcs1v15Decrypt(privateKey, raw(Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(K - 2, 7)])))).toBeNull();
  });
});

describe('windows password', () => {
  const key = fromKeyObject(privateKey, 't');
  it('checks the blob length against the key before decrypting', () => {
    expect(() => decryptWindowsPassword(key, Buffer.alloc(128))).toThrow(expect.objectContaining({ code: 'KPS.2002' }));
  });

  it('treats non-UTF-8 output as not for this key', () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from([0xff, 0xfe, 0xc0]));
    expect(() => decryptWindowsPassword(key, ct)).toThrow(expect.objectContaining({ code: 'KPS.2002' }));
  });

  it('decodes base64 strictly but tolerates line breaks', () => {
    expect(decodeBlob('QUJD\nREVG')).toEqual(Buffer.from('ABCDEF'));
    expect(() => decodeBlob('QUJD*')).toThrow(expect.objectContaining({ code: 'KPS.2003' }));
  });
});
