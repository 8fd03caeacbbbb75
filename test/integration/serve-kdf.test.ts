/**
 * Issue #17 over HTTP: one `import-private-key` with a crafted scrypt file blocked every other
 * request of `keyhold serve` for 18 s, and a `create-keypair` generating RSA-4096 held up
 * `gen-random`. Now the crafted file is refused at once, and while a legal slow KDF (ssh-keygen
 * -a 100) or an RSA-4096 generation runs, gen-random is answered (ordering, not timing: the slow
 * request is still pending when gen-random's answer arrives).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { der, int, octets, oid, seq } from '../../electron/core/keypairs/der.js';
import { writeArmor } from '../../electron/core/keypairs/formats/armor.js';
import { mustTool } from '../helpers/keytools.js';
import { accessKey, signedFetch, startServe, type Served } from '../helpers/serve.js';
import { initVault, tempDir } from '../helpers/vault.js';

const PASS = 'serve kdf pass';
let served: Served;
let creds: { access: string; secret: string };
const dir = tempDir('keyhold-serve-kdf-');
const post = (path: string, body: unknown) => signedFetch(served.url, 'POST', path, body, creds);
const kps = (action = '') => `/v3/${served.project_id}/keypairs${action}`;
const genRandom = () => post(`/v1.0/${served.project_id}/kms/gen-random`, { random_data_length: '256' });

async function genRandomAnsweredDuring(slow: Promise<{ status: number }>): Promise<boolean> {
  let settled = false;
  slow.then(
    () => (settled = true),
    () => (settled = true),
  );
  expect((await genRandom()).status).toBe(200);
  const stillPending = !settled;
  await slow;
  return stillPending;
}

beforeAll(async () => {
  const vault = initVault();
  creds = accessKey(vault);
  served = await startServe(vault);
  // First calls create the services' default keys; not during the test.
  await genRandom();
  await post(kps(), { keypair: { name: 'warm-up', algorithm: 'SSH_ED25519' } });
});
afterAll(async () => {
  if (served.child.exitCode === null) await served.stop();
});

describe('keyhold serve while keys are generated and key files opened', () => {
  it('refuses the crafted 257-byte scrypt file (N=16384, r=1, p=2047) with KPS.1005 at once', async () => {
    const u = (n: number) => int(Buffer.from(n.toString(16).padStart(16, '0'), 'hex'));
    const alg = seq(
      oid('1.2.840.113549.1.5.13'),
      seq(
        seq(oid('1.3.6.1.4.1.11591.4.11'), seq(octets(Buffer.alloc(8, 1)), u(16384), u(1), u(2047))),
        seq(oid('2.16.840.1.101.3.4.1.42'), octets(Buffer.alloc(16, 2))),
      ),
    );
    const hostile = writeArmor('ENCRYPTED PRIVATE KEY', seq(alg, der(0x04, Buffer.alloc(48, 3))), 64);
    const r = await post(kps('/private-key/import'), {
      keypair: { name: 'warm-up', key_protection: { private_key: hostile, encryption: { type: 'default' } } },
      passphrase: PASS,
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error_code: 'KPS.1005', error_msg: expect.stringContaining('scrypt p 2047') });
  });

  it('answers gen-random while create-keypair generates RSA-4096', async () => {
    const creating = post(kps(), { keypair: { name: 'big', algorithm: 'SSH_RSA_4096' } });
    expect(await genRandomAnsweredDuring(creating)).toBe(true);
    expect((await creating).status).toBe(200);
  });

  it('answers gen-random while import-private-key runs bcrypt_pbkdf with 100 rounds (ssh-keygen -a 100)', async () => {
    const file = join(dir, 'id');
    mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '100', '-N', PASS, '-f', file]);
    expect((await post(kps(), { keypair: { name: 'hardened', public_key: readFileSync(`${file}.pub`, 'utf8') } })).status).toBe(200);
    const importing = post(kps('/private-key/import'), {
      keypair: { name: 'hardened', key_protection: { private_key: readFileSync(file, 'utf8'), encryption: { type: 'default' } } },
      passphrase: PASS,
    });
    expect(await genRandomAnsweredDuring(importing)).toBe(true);
    expect((await importing).status).toBe(200);
  });
});
