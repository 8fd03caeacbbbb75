// `keyhold file …` as a user runs it (DESIGN §8): output shapes, exit codes, errors on stderr.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cli, initVault, tempDir } from '../helpers/vault.js';

function keyId(vault: string, args: string[]): string {
  const r = cli(vault, ['kms', 'create-key', ...args]);
  expect(r.status).toBe(0);
  return (r.json as { key_info: { key_id: string } }).key_info.key_id;
}

describe('keyhold file', () => {
  it('encrypt to two keys, decrypt, refuse a wrong context and a tampered file', () => {
    const vault = initVault();
    const k1 = keyId(vault, ['--key-alias', 'f1']);
    const k2 = keyId(vault, ['--key-alias', 'f2']);
    const dir = tempDir();
    const data = randomBytes(70_000);
    writeFileSync(join(dir, 'a'), data);
    const enc = cli(vault, [
      'file',
      'encrypt',
      '--key-id',
      k1,
      '--additional-key-ids',
      JSON.stringify([k2]),
      '--in',
      join(dir, 'a'),
      '--out',
      join(dir, 'a.khe'),
      '--encryption-context',
      '{"project":"x"}',
      '--frame-size',
      '4096',
    ]);
    expect(enc.status).toBe(0);
    expect(enc.json).toEqual({ key_id: k1, bytes_in: 70_000, bytes_out: readFileSync(join(dir, 'a.khe')).length });

    const dec = cli(vault, ['file', 'decrypt', '--in', join(dir, 'a.khe'), '--out', join(dir, 'b'), '--encryption-context', '{"project":"x"}']);
    expect(dec.status).toBe(0);
    expect(dec.json).toEqual({ key_id: k1, bytes_out: 70_000 });
    expect(readFileSync(join(dir, 'b')).equals(data)).toBe(true);

    const wrong = cli(vault, ['file', 'decrypt', '--in', join(dir, 'a.khe'), '--out', join(dir, 'c'), '--encryption-context', '{"project":"y"}']);
    expect(wrong.status).toBe(2);
    expect(wrong.error?.error_code).toBe('FILE.0106');
    expect(wrong.stdout).toBe('');
    expect(existsSync(join(dir, 'c'))).toBe(false);

    const bytes = readFileSync(join(dir, 'a.khe'));
    writeFileSync(join(dir, 'cut.khe'), bytes.subarray(0, bytes.length - 4120 - 20));
    const cut = cli(vault, ['file', 'decrypt', '--in', join(dir, 'cut.khe'), '--out', join(dir, 'c')]);
    expect(cut.status).toBe(2);
    expect(cut.error?.error_code).toBe('FILE.0201');
    expect(existsSync(join(dir, 'c'))).toBe(false);
  });

  it('encrypt refuses an existing output (FILE.0303), leaving it as it was; --force replaces it', () => {
    const vault = initVault();
    const k = keyId(vault, ['--key-alias', 'no-clobber']);
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'secret data\n');
    writeFileSync(join(dir, 'a.khe'), 'an older envelope the user wants to keep\n');
    const refused = cli(vault, ['file', 'encrypt', '--key-id', k, '--in', join(dir, 'a'), '--out', join(dir, 'a.khe')]);
    expect([refused.status, refused.error?.error_code]).toEqual([2, 'FILE.0303']);
    expect(readFileSync(join(dir, 'a.khe'), 'utf8')).toBe('an older envelope the user wants to keep\n');
    const forced = cli(vault, ['file', 'encrypt', '--key-id', k, '--in', join(dir, 'a'), '--out', join(dir, 'a.khe'), '--force']);
    expect(forced.status).toBe(0);
    const dec = cli(vault, ['file', 'decrypt', '--in', join(dir, 'a.khe'), '--out', join(dir, 'b')]);
    expect(dec.status).toBe(0);
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('secret data\n');
  });

  it('sign and verify: with the vault, offline with --public-key, exit 1 when the file changed', () => {
    const vault = initVault();
    const k = keyId(vault, ['--key-alias', 'signer', '--key-spec', 'EC_P256', '--key-usage', 'SIGN_VERIFY']);
    const dir = tempDir();
    writeFileSync(join(dir, 'doc'), 'contract text\n');
    const signed = cli(vault, ['file', 'sign', '--key-id', k, '--in', join(dir, 'doc'), '--out', join(dir, 'doc.sig')]);
    expect(signed.status).toBe(0);
    expect(signed.json).toMatchObject({ key_id: k, signing_algorithm: 'ECDSA_SHA_256', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const pub = cli(vault, ['kms', 'get-publickey', '--key-id', k]);
    writeFileSync(join(dir, 'pub.pem'), (pub.json as { public_key: string }).public_key);
    const verified = cli(vault, ['file', 'verify', '--in', join(dir, 'doc'), '--signature', join(dir, 'doc.sig')]);
    expect([verified.status, verified.json]).toEqual([0, { signature_valid: true }]);

    writeFileSync(join(dir, 'doc'), 'contract text, amended\n');
    const offline = cli(vault, ['file', 'verify', '--in', join(dir, 'doc'), '--signature', join(dir, 'doc.sig'), '--public-key', join(dir, 'pub.pem')]);
    expect([offline.status, offline.json]).toEqual([1, { signature_valid: false }]);

    const notRecord = cli(vault, ['file', 'verify', '--in', join(dir, 'doc'), '--signature', join(dir, 'doc')]);
    expect([notRecord.status, notRecord.error?.error_code]).toEqual([2, 'FILE.0401']);
  });

  it("KEYHOLD_FILE_CIPHER: either engine reads the other's files; an unknown value is refused by name, nothing written", () => {
    const vault = initVault();
    const k = keyId(vault, ['--key-alias', 'engines']);
    const dir = tempDir();
    const data = randomBytes(600_000);
    writeFileSync(join(dir, 'p'), data);
    const byNodeCrypto = cli(vault, ['file', 'encrypt', '--key-id', k, '--in', join(dir, 'p'), '--out', join(dir, 'p.khe')], {
      env: { KEYHOLD_FILE_CIPHER: 'node:crypto' },
    });
    expect(byNodeCrypto.status).toBe(0);
    const byNative = cli(vault, ['file', 'decrypt', '--in', join(dir, 'p.khe'), '--out', join(dir, 'q')], { env: { KEYHOLD_FILE_CIPHER: 'native' } });
    expect(byNative.status).toBe(0);
    expect(readFileSync(join(dir, 'q')).equals(data)).toBe(true);

    const bogus = cli(vault, ['file', 'encrypt', '--key-id', k, '--in', join(dir, 'p'), '--out', join(dir, 'r.khe')], {
      env: { KEYHOLD_FILE_CIPHER: 'openssl' },
    });
    expect([bogus.status, bogus.error?.error_code]).toEqual([2, 'CLI.0002']);
    expect(bogus.error?.error_msg).toMatch(/KEYHOLD_FILE_CIPHER=openssl is not one of auto, native, node:crypto/);
    expect(existsSync(join(dir, 'r.khe'))).toBe(false);
  });
});
