/**
 * A key generation or a key file's passphrase KDF never holds up other calls (issue #17): it runs
 * off the event loop (libuv's pool, or the KDF thread for bcrypt and OpenSSL's decryption) and
 * before the write transaction (create-keypair, batch-import-keypair and import-private-key are
 * network-first). While one is running, a read-only call (gen-random, whose audit entry needs a
 * group commit) and another writer are answered. Ordering, not timing: the slow call must still
 * be pending when the others are done.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { mustTool, passFile } from '../helpers/keytools.js';
import { newSession, tempDir } from '../helpers/vault.js';

const PASS = 'slow kdf pass';
let session: Session;
let vaultDir: string;
const dir = tempDir('keyhold-off-loop-');
const call = (service: string, op: string, input: Record<string, unknown> = {}) => session.call(service, op, input, 'cli');
let writes = 0;

/** Whether `slow` is still pending once a read-only call and another writer have both been answered. */
async function othersAnsweredDuring(slow: Promise<unknown>): Promise<boolean> {
  let settled = false;
  slow.then(
    () => (settled = true),
    () => (settled = true),
  );
  await Promise.all([call('kms', 'gen-random', { random_data_length: '256' }), call('kms', 'create-key', { key_alias: `meanwhile-${writes++}` })]);
  const stillPending = !settled;
  await slow;
  return stillPending;
}

beforeAll(async () => {
  ({ session, dir: vaultDir } = await newSession());
  // The services' default keys are created on first use, in a write of their own: not during the test.
  await call('kms', 'gen-random', { random_data_length: '8' });
  await call('kps', 'list-keypairs', {});
});
afterAll(() => {
  session.close();
  rmSync(vaultDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('other calls are answered while a key is generated or a key file is opened', () => {
  it('create-keypair generating RSA-4096', async () => {
    const creating = call('kps', 'create-keypair', { keypair: { name: 'rsa4096', algorithm: 'SSH_RSA_4096' } }) as Promise<{
      keypair: { private_key?: string };
    }>;
    expect(await othersAnsweredDuring(creating)).toBe(true);
    expect((await creating).keypair.private_key).toContain('BEGIN RSA PRIVATE KEY');
  });

  const pass = passFile(dir, 'pass', PASS);
  const source = join(dir, 'key.pem');
  const cases: [string, () => string][] = [
    [
      'ssh-keygen -a 100 (bcrypt_pbkdf, 100 rounds)',
      () => {
        mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '100', '-N', PASS, '-f', join(dir, 'ssh')]);
        return join(dir, 'ssh');
      },
    ],
    [
      'openssl pkcs8 with 2,000,000 PBKDF2-HMAC-SHA1 iterations (the bound)',
      () => {
        mustTool('openssl', [
          'pkcs8',
          '-topk8',
          '-in',
          source,
          '-v2',
          'aes-256-cbc',
          '-v2prf',
          'hmacWithSHA1',
          '-iter',
          '2000000',
          '-passout',
          `file:${pass}`,
          '-out',
          join(dir, 'p8'),
        ]);
        return join(dir, 'p8');
      },
    ],
    [
      'puttygen Argon2id 64 MiB × 16 passes',
      () => {
        mustTool('puttygen', ['-t', 'ed25519', '--new-passphrase', pass, '--ppk-param', 'memory=65536,passes=16', '-o', join(dir, 'ppk')]);
        return join(dir, 'ppk');
      },
    ],
  ];
  beforeAll(() => void mustTool('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', source]));

  it.each(cases)('import-private-key of a file from %s', async (_label, make) => {
    const file = make();
    const name = `imported-${writes}`;
    const text = readFileSync(file, 'utf8');
    await call('kps', 'create-keypair', { keypair: { name, public_key: await publicLine(file) } });
    const importing = call('kps', 'import-private-key', {
      keypair: { name, key_protection: { private_key: text, encryption: { type: 'default' } } },
      passphrase: PASS,
    });
    expect(await othersAnsweredDuring(importing)).toBe(true);
    const shown = (await call('kps', 'list-keypair-detail', { keypair_name: name })) as { keypair: { is_key_protection: boolean } };
    expect(shown.keypair.is_key_protection).toBe(true);
  });
});

/** The key's public line, as the real tools print it (puttygen for PPK, openssl + ssh-keygen otherwise). */
async function publicLine(file: string): Promise<string> {
  if (file.endsWith('ppk')) return mustTool('puttygen', [file, '--old-passphrase', join(dir, 'pass'), '-O', 'public-openssh']);
  if (file.endsWith('p8')) {
    const pem = join(dir, 'p8.pub.pem');
    mustTool('openssl', ['pkey', '-in', file, '-passin', `file:${join(dir, 'pass')}`, '-pubout', '-out', pem]);
    return mustTool('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', pem]);
  }
  return readFileSync(`${file}.pub`, 'utf8');
}
