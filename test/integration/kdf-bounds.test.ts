/**
 * The work bounds of key-file KDFs (electron/core/keypairs/kdf-bounds.ts). Files the real tools
 * write at their defaults (and at common hardened settings) open; tiny crafted files asking for
 * more — the attacks of issue #17: scrypt with 2047 and 32767 lanes, bcrypt with 1000 rounds,
 * Argon2 with 1 GiB × 4 passes — are refused with a KdfBoundError naming the parameter and the
 * bound, before any derivation (well under 100 ms, no memory taken).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readKey } from '../../electron/core/keypairs/formats/index.js';
import { readArmor, writeArmor } from '../../electron/core/keypairs/formats/armor.js';
import { der, int, octets, oid, seq } from '../../electron/core/keypairs/der.js';
import { KDF_BOUNDS, KdfBoundError } from '../../electron/core/keypairs/kdf-bounds.js';
import { sha256Fingerprint } from '../../electron/core/keypairs/key.js';
import { fingerprintIn, mustTool, passFile } from '../helpers/keytools.js';
import { tempDir } from '../helpers/vault.js';
import { cpuClock } from '../helpers/cpu-time.js';

const PASS = 'bounds pass';
const dir = tempDir('keyhold-kdf-bounds-');
const passPath = passFile(dir, 'pass', PASS);
const files: Record<string, string> = {};

const uint = (n: number) => int(Buffer.from(n.toString(16).padStart(16, '0'), 'hex'));
const PBES2 = '1.2.840.113549.1.5.13';
const AES256_CBC = seq(oid('2.16.840.1.101.3.4.1.42'), octets(Buffer.alloc(16, 2)));

/** An EncryptedPrivateKeyInfo with the given algorithm and 48 bytes of "ciphertext": under 300 bytes. */
function pkcs8File(algorithm: Buffer): string {
  return writeArmor('ENCRYPTED PRIVATE KEY', seq(algorithm, der(0x04, Buffer.alloc(48, 3))), 64);
}
const scryptFile = (n: number, r: number, p: number) =>
  pkcs8File(seq(oid(PBES2), seq(seq(oid('1.3.6.1.4.1.11591.4.11'), seq(octets(Buffer.alloc(8, 1)), uint(n), uint(r), uint(p))), AES256_CBC)));
const pbkdf2File = (iterations: number) =>
  pkcs8File(seq(oid(PBES2), seq(seq(oid('1.2.840.113549.1.5.12'), seq(octets(Buffer.alloc(8, 1)), uint(iterations))), AES256_CBC)));
/** pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12), what `openssl pkcs8 -v1 PBE-SHA1-3DES` writes. */
const pkcs12File = (iterations: number) => pkcs8File(seq(oid('1.2.840.113549.1.12.1.3'), seq(octets(Buffer.alloc(8, 1)), uint(iterations))));

/** ssh-keygen's file with its bcrypt rounds replaced (kdfoptions: string salt(16), uint32 rounds). */
function withBcryptRounds(text: string, rounds: number): string {
  const a = readArmor(text, 'test');
  const body = Buffer.from(a.body);
  body.writeUInt32BE(rounds, body.indexOf(Buffer.from('bcrypt')) + 6 + 4 + 4 + 16);
  return writeArmor(a.label, body, 70);
}

const withArgon2 = (text: string, memoryKiB: number, passes: number, parallelism = 1) =>
  text
    .replace(/Argon2-Memory: \d+/, `Argon2-Memory: ${memoryKiB}`)
    .replace(/Argon2-Passes: \d+/, `Argon2-Passes: ${passes}`)
    .replace(/Argon2-Parallelism: \d+/, `Argon2-Parallelism: ${parallelism}`);

beforeAll(() => {
  const pem = join(dir, 'ed25519.pem');
  mustTool('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', pem]);
  const topk8 = (name: string, args: string[]) => {
    mustTool('openssl', ['pkcs8', '-topk8', '-in', pem, '-passout', `file:${passPath}`, '-out', join(dir, name), ...args]);
    files[name] = readFileSync(join(dir, name), 'utf8');
  };
  topk8('scrypt-default.p8', ['-scrypt']);
  topk8('pbkdf2-600k.p8', ['-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', '600000']);
  topk8('pkcs12-3des.p8', ['-v1', 'PBE-SHA1-3DES']);
  for (const [name, rounds] of [
    ['ssh-default', '16'],
    ['ssh-a100', '100'],
  ] as const) {
    mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-a', rounds, '-N', PASS, '-C', name, '-f', join(dir, name)]);
    files[name] = readFileSync(join(dir, name), 'utf8');
  }
  mustTool('puttygen', ['-t', 'ed25519', '--new-passphrase', passPath, '-o', join(dir, 'putty-default.ppk')]);
  files['putty-default.ppk'] = readFileSync(join(dir, 'putty-default.ppk'), 'utf8');
  mustTool('puttygen', [
    '-t',
    'ed25519',
    '--new-passphrase',
    passPath,
    '--ppk-param',
    'memory=65536,passes=8,parallelism=2',
    '-o',
    join(dir, 'putty-hard.ppk'),
  ]);
  files['putty-hard.ppk'] = readFileSync(join(dir, 'putty-hard.ppk'), 'utf8');
});

describe('files real tools write open within the bounds', () => {
  it.each([
    ['openssl pkcs8 -scrypt (N=16384, r=8, p=1)', 'scrypt-default.p8'],
    ['openssl pkcs8 PBKDF2-HMAC-SHA256, 600,000 iterations', 'pbkdf2-600k.p8'],
    ['openssl pkcs8 -v1 PBE-SHA1-3DES', 'pkcs12-3des.p8'],
    ['ssh-keygen default (16 bcrypt rounds)', 'ssh-default'],
    ['ssh-keygen -a 100', 'ssh-a100'],
    ['puttygen default (Argon2id, 8 MiB)', 'putty-default.ppk'],
    ['puttygen 64 MiB × 8 passes × 2 lanes', 'putty-hard.ppk'],
  ])('%s', async (_label, name) => {
    const parsed = await readKey(files[name] as string, PASS);
    expect(parsed.encrypted).toBe(true);
    expect(parsed.privateKey).toBeDefined();
    if (name.endsWith('.ppk')) expect(sha256Fingerprint(parsed.publicKey)).toBe(fingerprintIn(mustTool('puttygen', ['-l', join(dir, name)])));
  });
});

/** Reads `text` expecting the bound on `parameter` to refuse it, fast and without allocating. */
async function refused(text: string, parameter: string, bound: number): Promise<void> {
  const rss = process.memoryUsage().rss;
  const cpuMs = cpuClock();
  const e = await readKey(text, PASS).then(
    () => undefined,
    (err: unknown) => err,
  );
  const ms = cpuMs();
  expect(e).toBeInstanceOf(KdfBoundError);
  const b = e as KdfBoundError;
  expect(b.code).toBe('KPS.1005');
  expect({ parameter: b.parameter, bound: b.bound }).toEqual({ parameter, bound });
  expect(b.message).toContain(parameter);
  expect(b.message).toContain(String(bound));
  expect(ms).toBeLessThan(100);
  expect(process.memoryUsage().rss - rss).toBeLessThan(32 * 1024 * 1024);
}

describe('hostile KDF costs are refused before any derivation', () => {
  const S = KDF_BOUNDS.scrypt;
  it('PKCS#8 scrypt N=16384, r=1, p=2047 (the 282-byte file that took 16 s) and p=32767', async () => {
    expect(scryptFile(16384, 1, 2047).length).toBeLessThan(400);
    await refused(scryptFile(16384, 1, 2047), 'scrypt p', S.p);
    await refused(scryptFile(16384, 1, 32767), 'scrypt p', S.p);
  });

  it('PKCS#8 scrypt work N·r·p and memory 128·r·(N+p+2)', async () => {
    await refused(scryptFile(16384, 8, 33), 'scrypt N·r·p', S.work);
    await refused(scryptFile(1 << 20, 8, 1), 'scrypt memory 128·r·(N+p+2) (bytes)', S.memoryBytes);
    await refused(scryptFile(32768, 8, 1), 'scrypt memory 128·r·(N+p+2) (bytes)', S.memoryBytes);
  });

  it('PKCS#8 PBKDF2 and PKCS#12 PBE iterations', async () => {
    await refused(pbkdf2File(0x7fffffff), 'PBKDF2 iterations', KDF_BOUNDS.iterations);
    await refused(pbkdf2File(KDF_BOUNDS.iterations + 1), 'PBKDF2 iterations', KDF_BOUNDS.iterations);
    await refused(pkcs12File(10_000_000), 'PBE iterations', KDF_BOUNDS.iterations);
  });

  it('OpenSSH bcrypt rounds 1000 and 2^32-1 (an ssh-keygen file, patched)', async () => {
    await refused(withBcryptRounds(files['ssh-default'] as string, 1000), 'bcrypt rounds', KDF_BOUNDS.bcryptRounds);
    await refused(withBcryptRounds(files['ssh-default'] as string, 0xffffffff), 'bcrypt rounds', KDF_BOUNDS.bcryptRounds);
  });

  it('PPK v3 Argon2 1 GiB × 4 passes, 128 MiB × 16 passes, 17 lanes (a puttygen file, patched)', async () => {
    const A = KDF_BOUNDS.argon2;
    const ppk = files['putty-default.ppk'] as string;
    await refused(withArgon2(ppk, 1024 * 1024, 4), 'Argon2-Memory (KiB)', A.memoryKiB);
    await refused(withArgon2(ppk, 128 * 1024, 16), 'Argon2 memory × passes (KiB)', A.work);
    await refused(withArgon2(ppk, 8192, 4, 17), 'Argon2-Parallelism', A.parallelism);
    await refused(withArgon2(ppk, 8192, 100_000), 'Argon2-Passes', A.passes);
  });

  it('a zero cost is malformed, not a bound', async () => {
    await expect(readKey(scryptFile(16384, 8, 0), PASS)).rejects.toMatchObject({ code: 'KPS.1001', message: expect.stringContaining('scrypt p') });
    await expect(readKey(withBcryptRounds(files['ssh-default'] as string, 0), PASS)).rejects.toMatchObject({ code: 'KPS.1001' });
  });
});
