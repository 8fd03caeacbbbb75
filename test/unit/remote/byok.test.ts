// Wrapping for import, judged by openssl pkeyutl (the tool the seed's import guide uses).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wrapForImport, type WrappingAlgorithm } from '../../../electron/core/remote/byok.js';
import { tempDir } from '../../helpers/vault.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dir = tempDir();
const keyPem = join(dir, 'wrapping.pem');
writeFileSync(keyPem, privateKey.export({ format: 'pem', type: 'pkcs8' }));
const publicDerB64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const openssl: Record<WrappingAlgorithm, string[]> = {
  RSAES_OAEP_SHA_256: ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'],
  RSAES_OAEP_SHA_1: ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha1'],
  RSAES_PKCS1_V1_5: ['-pkeyopt', 'rsa_padding_mode:pkcs1'],
};

describe('BYOK wrapping', () => {
  for (const alg of Object.keys(openssl) as WrappingAlgorithm[]) {
    it(`${alg}: openssl pkeyutl unwraps the material`, () => {
      const material = randomBytes(32);
      const wrapped = join(dir, `${alg}.bin`);
      writeFileSync(wrapped, wrapForImport(material, publicDerB64, alg));
      const out = execFileSync('openssl', ['pkeyutl', '-decrypt', '-inkey', keyPem, '-in', wrapped, ...openssl[alg]]);
      expect(out.equals(material)).toBe(true);
    });
  }
  it('refuses a wrapping key that is not RSA DER', () => {
    expect(() => wrapForImport(randomBytes(32), 'bm90IGEga2V5', 'RSAES_OAEP_SHA_256')).toThrow(expect.objectContaining({ code: 'REMOTE.0003' }));
  });
});
