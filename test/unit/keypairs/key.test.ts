import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readKey } from '../../../electron/core/keypairs/formats/index.js';
import { fromKeyObject, keyBits, md5Fingerprint, parsePublicBlob, publicBlob, sha256Fingerprint, toKeyObject } from '../../../electron/core/keypairs/key.js';
import { WireWriter } from '../../../electron/core/keypairs/wire.js';

// Vectors: ssh-keygen -l and ssh-keygen -l -E md5 (OpenSSH 9.2) of these lines.
const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID29dl69bvPG8LV+OSgP4BzJRUqg6ZkRrXtLB10adU43 c ed25519';
const EC =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNfPqm4aMxKwDGDQatip6b0bpN0TW2MrA5ZYBtxjzf6gH0YPAtWZ6oTbJP0MUPW2G2o9Dh3gSXwkKJM14CLQt+Q= c ecdsab256';

describe('fingerprints and sizes as ssh-keygen prints them', () => {
  it('SHA256 and MD5 of known keys', async () => {
    const ed = (await readKey(ED)).publicKey;
    expect(sha256Fingerprint(ed)).toBe('SHA256:aAHx8mFl6N2bAPVrOx7z2VBbh2q9LU3ik2aDgExJW14');
    expect(md5Fingerprint(ed)).toBe('MD5:ac:85:4c:45:40:50:5b:21:b8:f5:c7:10:e3:72:08:d1');
    expect(keyBits(ed)).toBe(256);
    const ec = (await readKey(EC)).publicKey;
    expect(sha256Fingerprint(ec)).toBe('SHA256:Hsj566hDJIrmTU9JSruzRO8AAT+Xv4El/EEVuPT1mFg');
    expect(md5Fingerprint(ec)).toBe('MD5:cf:09:56:d3:bb:ca:8e:7d:bb:34:a7:fb:1f:e6:f7:a5');
  });

  it('RSA bits come from the modulus, and a blob round-trips', () => {
    const k = fromKeyObject(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey, 't');
    expect(keyBits(k)).toBe(3072);
    expect(publicBlob(parsePublicBlob(publicBlob(k), 't'))).toEqual(publicBlob(k));
  });
});

describe('public blobs are checked', () => {
  it('refuses RSA below 1024 bits as unsupported (KPS.1004)', () => {
    const small = new WireWriter()
      .string('ssh-rsa')
      .mpint(Buffer.from([1, 0, 1]))
      .mpint(Buffer.alloc(64, 0xff))
      .toBuffer();
    expect(() => parsePublicBlob(small, 't')).toThrow(expect.objectContaining({ code: 'KPS.1004' }));
  });

  it('refuses a compressed or short EC point, naming the field', () => {
    const bad = new WireWriter().string('ecdsa-sha2-nistp256').string('nistp256').string(Buffer.alloc(33, 2)).toBuffer();
    expect(() => parsePublicBlob(bad, 'X')).toThrow(expect.objectContaining({ code: 'KPS.1001', message: expect.stringContaining('uncompressed') }));
  });

  it('refuses a curve name that does not match the type', () => {
    const bad = new WireWriter().string('ecdsa-sha2-nistp256').string('nistp384').string(Buffer.alloc(65, 4)).toBuffer();
    expect(() => parsePublicBlob(bad, 'X')).toThrow(/does not match/);
  });

  it('names certificates and Ed448 as unsupported', () => {
    for (const t of ['ssh-ed25519-cert-v01@openssh.com', 'ssh-ed448']) {
      expect(() => parsePublicBlob(new WireWriter().string(t).toBuffer(), 'X')).toThrow(expect.objectContaining({ code: 'KPS.1004' }));
    }
  });
});

describe('the node:crypto bridge', () => {
  it('computes RSA CRT exponents (never zero, unlike sshpk) so OpenSSL accepts the key', () => {
    const k = fromKeyObject(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 't');
    const jwk = toKeyObject(k).export({ format: 'jwk' });
    expect(jwk.dp && Buffer.from(jwk.dp, 'base64url').some((b) => b !== 0)).toBe(true);
  });

  it('DSA keys survive the trip through hand-built PKCS#8', () => {
    const ko = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey;
    const k = fromKeyObject(ko, 't');
    expect(toKeyObject(k).export({ format: 'der', type: 'pkcs8' })).toEqual(ko.export({ format: 'der', type: 'pkcs8' }));
  });
});
