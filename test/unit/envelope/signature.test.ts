// File signatures: sign with RSA and EC CMKs (KMS DIGEST mode), verify with the vault and
// offline with the PEM, reject a changed file or a foreign key, parse records totally — and
// openssl verifies Keyhold's signature with the command docs/file-signature.md gives.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fileHandlers } from '../../../electron/core/envelope/service.js';
import { hashFile, parseRecord } from '../../../electron/core/envelope/signature.js';
import { kmsHandlers } from '../../../electron/core/kms/service.js';
import type { KeySpec } from '../../../shared/constants.js';
import { KeyholdError } from '../../../shared/errors.js';
import { memoryKmsContext } from '../../helpers/memory-store.js';
import { plainFile, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

async function signingKey(spec: KeySpec) {
  const ctx = memoryKmsContext();
  const { key_info } = await kmsHandlers.createKey(ctx, {
    key_alias: `sign-${spec}`,
    key_spec: spec,
    key_usage: 'SIGN_VERIFY',
    key_description: '',
    origin: 'kms',
  });
  const { public_key } = await kmsHandlers.getPublickey(ctx, { key_id: key_info.key_id });
  return { ctx, keyId: key_info.key_id, publicKey: public_key };
}

const CASES: [KeySpec, string | undefined, string][] = [
  ['RSA_2048', undefined, 'RSASSA_PSS_SHA_256'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_512'],
  ['EC_P256', undefined, 'ECDSA_SHA_256'],
  ['EC_P384', 'ECDSA_SHA_384', 'ECDSA_SHA_384'],
];

/** openssl's options for each scheme: PSS with a digest-length salt (what Keyhold signs with). */
const OPENSSL_OPTS: Record<string, string[]> = {
  RSASSA_PSS_SHA_256: ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'],
  RSASSA_PKCS1_V1_5_SHA_512: [],
  ECDSA_SHA_256: [],
  ECDSA_SHA_384: [],
};

describe('file signatures', () => {
  for (const [spec, requested, expected] of CASES) {
    it(`${spec} ${expected}: vault, offline PEM and openssl all verify; a changed file does not`, async () => {
      const { ctx, keyId, publicKey } = await signingKey(spec);
      const { dir, plain, data } = plainFile(3 * 1024 * 1024 + 11);
      const sig = join(dir, 'plain.sig');
      const pem = join(dir, 'public.pem');
      writeFileSync(pem, publicKey);
      const signed = await fileHandlers.fileSign(ctx, { key_id: keyId, in: plain, out: sig, signing_algorithm: requested as never });
      expect(signed).toMatchObject({ key_id: keyId, signing_algorithm: expected });
      const record = parseRecord(readFileSync(sig, 'utf8'));
      expect(record.digest).toBe(signed.digest);
      expect((await hashFile(plain, record.digest_algorithm)).toString('hex')).toBe(signed.digest);

      expect(await fileHandlers.fileVerify(ctx, { in: plain, signature: sig })).toEqual({ signature_valid: true });
      expect(await fileHandlers.fileVerify(memoryKmsContext(), { in: plain, signature: sig, public_key: pem })).toEqual({ signature_valid: true });

      // The documented openssl command: the signature's bytes, then `openssl dgst -verify`.
      const sigBin = join(dir, 'plain.sig.bin');
      writeFileSync(sigBin, Buffer.from(record.signature, 'base64'));
      const hash = `-${record.digest_algorithm.toLowerCase().replace('_', '')}`;
      const ok = spawnSync('openssl', ['dgst', hash, '-verify', pem, '-signature', sigBin, ...OPENSSL_OPTS[expected]!, plain], { encoding: 'utf8' });
      expect(ok.stdout.trim()).toBe('Verified OK');

      const changed = Buffer.from(data);
      changed[1000] = (changed[1000] as number) ^ 1;
      writeFileSync(plain, changed);
      expect(await fileHandlers.fileVerify(ctx, { in: plain, signature: sig })).toEqual({ signature_valid: false });
      expect(await fileHandlers.fileVerify(ctx, { in: plain, signature: sig, public_key: pem })).toEqual({ signature_valid: false });
      const bad = spawnSync('openssl', ['dgst', hash, '-verify', pem, '-signature', sigBin, ...OPENSSL_OPTS[expected]!, plain], { encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
    });
  }

  it('a signature that does not match the digest, or another key, is invalid', async () => {
    const a = await signingKey('EC_P256');
    const b = await signingKey('EC_P256');
    const { dir, plain } = plainFile(1000);
    const sig = join(dir, 's');
    await fileHandlers.fileSign(a.ctx, { key_id: a.keyId, in: plain, out: sig });
    const otherPem = join(dir, 'other.pem');
    writeFileSync(otherPem, b.publicKey);
    expect(await fileHandlers.fileVerify(a.ctx, { in: plain, signature: sig, public_key: otherPem })).toEqual({ signature_valid: false });
    const record = JSON.parse(readFileSync(sig, 'utf8')) as Record<string, string>;
    const forged = Buffer.from(record.signature!, 'base64');
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    writeFileSync(sig, JSON.stringify({ ...record, signature: forged.toString('base64') }));
    expect(await fileHandlers.fileVerify(a.ctx, { in: plain, signature: sig })).toEqual({ signature_valid: false });
  });

  it('refuses keys that cannot sign, with the KMS code', async () => {
    const ctx = memoryKmsContext();
    const { key_info } = await kmsHandlers.createKey(ctx, { key_alias: 'aes', key_spec: 'AES_256', key_description: '', origin: 'kms' });
    const { dir, plain } = plainFile(10);
    await expect(fileHandlers.fileSign(ctx, { key_id: key_info.key_id, in: plain, out: join(dir, 's') })).rejects.toMatchObject({ code: 'KMS.0308' });
    const ec = await signingKey('EC_P256');
    await expect(
      fileHandlers.fileSign(ec.ctx, { key_id: ec.keyId, in: plain, out: join(dir, 's'), signing_algorithm: 'RSASSA_PSS_SHA_256' }),
    ).rejects.toMatchObject({ code: 'KMS.0308' });
  });

  it('parses records totally: anything else is FILE.0401', () => {
    const good = {
      format: 'keyhold-file-signature',
      version: 1,
      key_id: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab',
      signing_algorithm: 'ECDSA_SHA_256',
      digest_algorithm: 'SHA_256',
      digest: 'ab'.repeat(32),
      signature: 'MEUCIQ==',
    };
    expect(parseRecord(JSON.stringify(good))).toEqual(good);
    for (const bad of [
      { ...good, format: 'x' },
      { ...good, version: 2 },
      { ...good, digest_algorithm: 'SHA_384' },
      { ...good, digest: 'ab' },
      { ...good, signing_algorithm: 'MD5' },
      { ...good, signature: '***' },
    ]) {
      expect(() => parseRecord(JSON.stringify(bad))).toThrow(expect.objectContaining({ code: 'FILE.0401' }) as Error);
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseRecord(text);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyholdError);
          expect((e as KeyholdError).code).toBe('FILE.0401');
        }
      }),
      { numRuns: 300 },
    );
  });
});
