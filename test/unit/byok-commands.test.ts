// The BYOK wizard's openssl commands, run by openssl for every wrapping algorithm: the block they
// write opens with the wrapping key's private half under that algorithm's padding, to the material.
import { execFileSync } from 'node:child_process';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRAPPING_ALGORITHMS } from '../../shared/constants.js';
import { importsKeyPair, materialBytes, opensslKeyPairSteps, opensslSteps } from '../../renderer/src/lib/byok-commands.js';
import { kwpUnwrap } from '../../electron/core/crypto/aes-kwp.js';
import { tempDir } from '../helpers/vault.js';

describe('BYOK wizard commands', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (const algorithm of WRAPPING_ALGORITHMS) {
    for (const spec of ['AES_256', 'HMAC_384', 'HMAC_512']) {
      it(`${algorithm} for ${spec}: openssl wraps ${materialBytes(spec)} bytes that the private key unwraps`, () => {
        const dir = tempDir('keyhold-byok-cmd-');
        writeFileSync(join(dir, 'PublicKey.der'), publicKey.export({ type: 'spki', format: 'der' }));
        for (const line of opensslSteps(algorithm, spec)) {
          const [tool, ...args] = line.split(' ');
          execFileSync(tool as string, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        }
        const material = readFileSync(join(dir, 'PlaintextKeyMaterial.bin'));
        expect(material).toHaveLength(materialBytes(spec));
        const padding = algorithm === 'RSAES_PKCS1_V1_5' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING;
        const oaepHash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
        const wrapped = readFileSync(join(dir, 'EncryptedKeyMaterial.bin'));
        if (padding === constants.RSA_PKCS1_PADDING) {
          // Node 20 refuses PKCS#1 v1.5 private decryption; openssl checks its own block instead.
          writeFileSync(join(dir, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
          const opened = execFileSync('openssl', [
            'pkeyutl',
            '-decrypt',
            '-inkey',
            join(dir, 'private.pem'),
            '-pkeyopt',
            'rsa_padding_mode:pkcs1',
            '-in',
            join(dir, 'EncryptedKeyMaterial.bin'),
          ]);
          expect(opened.equals(material)).toBe(true);
        } else {
          expect(privateDecrypt({ key: privateKey, padding, oaepHash }, wrapped).equals(material)).toBe(true);
        }
      });
    }
  }
});

describe('BYOK wizard commands for key pairs', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (const [algorithm, spec] of [
    ['RSAES_OAEP_SHA_256', 'SM2'],
    ['RSAES_OAEP_SHA_1', 'ED25519'],
    ['RSAES_OAEP_SHA_256', 'EC_P384'],
  ] as const) {
    it(`${algorithm} for ${spec}: the private key openssl makes is PKCS#8 of the spec, wrapped under the temporary key the wrapping key opens`, () => {
      const dir = tempDir('keyhold-byok-pair-');
      writeFileSync(join(dir, 'PublicKey.der'), publicKey.export({ type: 'spki', format: 'der' }));
      const lines = opensslKeyPairSteps(algorithm, spec);
      expect(lines[0]).toMatch(/^openssl genpkey /);
      // The lines are shell lines (the KWP key is read with $(xxd …)), as a user pastes them.
      for (const line of lines) execFileSync('bash', ['-c', line], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      const temp = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' },
        readFileSync(join(dir, 'EncryptedTempKey.bin')),
      );
      expect(temp.equals(readFileSync(join(dir, 'TempKey.bin')))).toBe(true);
      const der = kwpUnwrap(temp, readFileSync(join(dir, 'EncryptedPrivateKey.bin')));
      expect(der?.equals(readFileSync(join(dir, 'PrivateKey.p8.der')))).toBe(true);
      const text = execFileSync('openssl', ['pkey', '-inform', 'DER', '-in', join(dir, 'PrivateKey.p8.der'), '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toContain({ SM2: 'SM2', ED25519: 'ED25519', EC_P384: 'P-384' }[spec]);
      expect(importsKeyPair(spec)).toBe(true);
    });
  }

  it('symmetric specs take raw material; SM4 is 16 bytes', () => {
    expect(importsKeyPair('SM4')).toBe(false);
    expect(importsKeyPair('HMAC_SM3')).toBe(false);
    expect(materialBytes('SM4')).toBe(16);
    expect(materialBytes('HMAC_SM3')).toBe(32);
  });
});
