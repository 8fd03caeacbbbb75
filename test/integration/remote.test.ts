// Two Keyhold vaults on loopback: one serves, the other runs operations on it with --remote.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initVault, tempDir } from '../helpers/vault.js';
import { accessKey, startServe, type Served } from '../helpers/serve.js';

let server: string;
let client: string;
let served: Served;

beforeAll(async () => {
  server = initVault();
  client = initVault();
  const creds = accessKey(server);
  served = await startServe(server);
  const secretFile = join(tempDir(), 'sk');
  writeFileSync(secretFile, `${creds.secret}\n`);
  const added = cli(client, [
    'remote',
    'add',
    '--name',
    'peer',
    '--endpoint',
    served.url,
    '--project-id',
    served.project_id,
    '--access-key',
    creds.access,
    '--secret-key-file',
    secretFile,
  ]);
  expect(added.status).toBe(0);
  expect(JSON.stringify(added.json)).not.toContain(creds.secret);
});
afterAll(async () => {
  await served.stop();
});

describe('--remote', () => {
  it('runs the same operation on the remote with the same input and output', () => {
    const created = cli(client, ['--remote', 'peer', 'kms', 'create-key', '--key-alias', 'remote-key']);
    expect(created.status).toBe(0);
    const keyId = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    const ct = (cli(client, ['--remote', 'peer', 'kms', 'encrypt-data', '--key-id', keyId, '--plain-text', 'far away']).json as { cipher_text: string })
      .cipher_text;
    // The key lives on the serving vault only.
    expect(cli(client, ['kms', 'describe-key', '--key-id', keyId]).error?.error_code).toBe('KMS.0207');
    expect(cli(server, ['kms', 'decrypt-data', '--cipher-text', ct]).json).toMatchObject({ key_id: keyId, plain_text: 'far away' });
  });

  it('returns the remote error in the same shape and exit status', () => {
    const r = cli(client, ['--remote', 'peer', 'kms', 'describe-key', '--key-id', '00000000-0000-4000-8000-000000000000']);
    expect(r.status).toBe(2);
    expect(r.error?.error_code).toBe('KMS.0207');
  });

  it('validates locally before sending anything', () => {
    expect(cli(client, ['--remote', 'peer', 'kms', 'create-key']).error?.error_code).toBe('KMS.0204');
  });

  it('refuses local-only operations', () => {
    expect(cli(client, ['--remote', 'peer', 'audit', 'verify']).error?.error_code).toBe('KEYHOLD.0001');
  });

  it('tests and lists remotes, and names an unknown one', () => {
    expect(cli(client, ['remote', 'test', '--name', 'peer']).json).toMatchObject({ remote: 'peer', reachable: true });
    expect((cli(client, ['remote', 'list']).json as { remotes: { name: string }[] }).remotes.map((r) => r.name)).toEqual(['peer']);
    expect(cli(client, ['--remote', 'nobody', 'kms', 'list-keys']).error?.error_code).toBe('REMOTE.0004');
  });
});

describe('remote sync --service kms', () => {
  it("shows the diff on --dry-run without applying it, then mirrors the remote keys' metadata", () => {
    const dry = cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kms', '--dry-run']);
    expect(dry.status).toBe(0);
    const dryOut = dry.json as { changes: { action: string; detail: string }[]; applied: boolean };
    expect(dryOut.applied).toBe(false);
    expect(dryOut.changes.some((c) => c.action === 'add' && c.detail.startsWith('remote-key'))).toBe(true);
    expect((cli(client, ['remote', 'list-mirrored-keys']).json as { keys: unknown[] }).keys).toEqual([]);

    const applied = cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kms']).json as { applied: boolean };
    expect(applied.applied).toBe(true);
    const mirrored = (
      cli(client, ['remote', 'list-mirrored-keys', '--name', 'peer']).json as { keys: { key_alias: string; key_state: string; key_id: string }[] }
    ).keys;
    const remoteKey = mirrored.find((k) => k.key_alias === 'remote-key');
    expect(remoteKey?.key_state).toBe('2');

    expect(cli(server, ['kms', 'disable-key', '--key-id', remoteKey!.key_id]).status).toBe(0);
    const again = cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kms']).json as { changes: { action: string; id: string }[] };
    expect(again.changes.find((c) => c.id === remoteKey!.key_id)?.action).toBe('update');
    expect(again.changes.filter((c) => c.id !== remoteKey!.key_id).every((c) => c.action === 'unchanged')).toBe(true);
    const after = (cli(client, ['remote', 'list-mirrored-keys']).json as { keys: { key_id: string; key_state: string }[] }).keys;
    expect(after.find((k) => k.key_id === remoteKey!.key_id)?.key_state).toBe('3');
  });

  it('refuses a KMS push', () => {
    expect(cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kms', '--direction', 'push']).error?.error_code).toBe('REMOTE.0002');
  });
});

describe('remote sync --service kps', () => {
  const publicKey = (vault: string, name: string) =>
    (cli(vault, ['kps', 'list-keypair-detail', '--keypair-name', name]).json as { keypair: { public_key: string } }).keypair.public_key;

  it('pulls and pushes public keys by name, reports conflicts and overwrites nothing', () => {
    expect(cli(server, ['kps', 'create-keypair', '--input-json', '{"keypair":{"name":"on-server","algorithm":"SSH_ED25519"}}']).status).toBe(0);
    expect(cli(client, ['kps', 'create-keypair', '--input-json', '{"keypair":{"name":"on-client","algorithm":"SSH_ED25519"}}']).status).toBe(0);
    expect(cli(server, ['kps', 'create-keypair', '--input-json', '{"keypair":{"name":"both","algorithm":"SSH_ED25519"}}']).status).toBe(0);
    expect(cli(client, ['kps', 'create-keypair', '--input-json', '{"keypair":{"name":"both","algorithm":"SSH_ED25519"}}']).status).toBe(0);
    const bothOnClient = publicKey(client, 'both');

    const dry = cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kps', '--dry-run']).json as {
      changes: { action: string; id: string }[];
      applied: boolean;
    };
    expect(dry.applied).toBe(false);
    expect(dry.changes).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'add', id: 'on-server' }), expect.objectContaining({ action: 'conflict', id: 'both' })]),
    );
    expect(cli(client, ['kps', 'list-keypair-detail', '--keypair-name', 'on-server']).status).toBe(2);

    // The conflict stays: the sync is not complete, and says so with exit 1.
    const pulled = cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kps']);
    expect(pulled.status).toBe(1);
    expect(pulled.json).toMatchObject({ applied: true, complete: false });
    expect(publicKey(client, 'on-server')).toBe(publicKey(server, 'on-server'));
    expect(publicKey(client, 'both')).toBe(bothOnClient);

    const push = cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'kps', '--direction', 'push']).json as {
      changes: { action: string; id: string }[];
    };
    expect(push.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'add', id: 'on-client' }),
        expect.objectContaining({ action: 'conflict', id: 'both' }),
        expect.objectContaining({ action: 'unchanged', id: 'on-server' }),
      ]),
    );
    expect(publicKey(server, 'on-client')).toBe(publicKey(client, 'on-client'));
    expect(publicKey(server, 'both')).not.toBe(bothOnClient);
  });
});

describe('remote sync --service csms', () => {
  const latest = (vault: string, name: string) =>
    (cli(vault, ['csms', 'show-secret-version', '--secret-name', name, '--version-id', 'latest']).json as { version: { secret_string: string } } | undefined)
      ?.version.secret_string;
  const sync = (direction: string, dry = false) =>
    cli(client, ['remote', 'sync', '--name', 'peer', '--service', 'csms', '--direction', direction, ...(dry ? ['--dry-run'] : [])]);
  const changeOf = (r: ReturnType<typeof sync>, id: string) =>
    (r.json as { changes: { id: string; action: string }[] }).changes.find((c) => c.id === id)?.action;

  it('pulls new secrets and new versions, pushes local versions, and reports conflicts without overwriting', () => {
    expect(cli(server, ['csms', 'create-secret', '--name', 'db', '--secret-string', 'one']).status).toBe(0);
    const dry = sync('pull', true);
    expect(changeOf(dry, 'db')).toBe('add');
    expect(JSON.stringify(dry.json)).not.toContain('one"');
    expect(cli(client, ['csms', 'show-secret', '--secret-name', 'db']).status).toBe(2);

    expect(changeOf(sync('pull'), 'db')).toBe('add');
    expect(latest(client, 'db')).toBe('one');

    expect(cli(server, ['csms', 'create-secret-version', '--secret-name', 'db', '--secret-string', 'two']).status).toBe(0);
    expect(changeOf(sync('pull'), 'db')).toBe('update');
    expect(latest(client, 'db')).toBe('two');
    expect(changeOf(sync('pull'), 'db')).toBe('unchanged');

    expect(cli(client, ['csms', 'create-secret-version', '--secret-name', 'db', '--secret-string', 'three-local']).status).toBe(0);
    expect(changeOf(sync('push'), 'db')).toBe('update');
    expect(latest(server, 'db')).toBe('three-local');

    expect(cli(client, ['csms', 'create-secret-version', '--secret-name', 'db', '--secret-string', 'four-client']).status).toBe(0);
    expect(cli(server, ['csms', 'create-secret-version', '--secret-name', 'db', '--secret-string', 'four-server']).status).toBe(0);
    expect(changeOf(sync('pull'), 'db')).toBe('conflict');
    expect(changeOf(sync('push'), 'db')).toBe('conflict');
    expect(latest(client, 'db')).toBe('four-client');
    expect(latest(server, 'db')).toBe('four-server');
  });

  it('adopts a secret with the same history on both sides, and refuses one with different histories', () => {
    for (const vault of [server, client]) expect(cli(vault, ['csms', 'create-secret', '--name', 'same', '--secret-string', 'equal']).status).toBe(0);
    expect(cli(server, ['csms', 'create-secret', '--name', 'diff', '--secret-string', 'server-side']).status).toBe(0);
    expect(cli(client, ['csms', 'create-secret', '--name', 'diff', '--secret-string', 'client-side']).status).toBe(0);
    const r = sync('pull');
    expect(changeOf(r, 'same')).toBe('unchanged');
    expect(changeOf(r, 'diff')).toBe('conflict');
    expect(latest(client, 'diff')).toBe('client-side');
  });
});

describe('envelope files with a remote keyring', () => {
  it('encrypts to a key of the remote; a vault that only knows the remote decrypts; a disabled remote key refuses', () => {
    const remoteKey = (cli(server, ['kms', 'create-key', '--key-alias', 'files']).json as { key_info: { key_id: string } }).key_info.key_id;
    const localKey = (cli(client, ['kms', 'create-key', '--key-alias', 'local-files']).json as { key_info: { key_id: string } }).key_info.key_id;
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.txt'), 'remote keyring payload\n'.repeat(1000));
    const enc = cli(client, [
      'file',
      'encrypt',
      '--key-id',
      localKey,
      '--remote-keys',
      JSON.stringify([{ remote: 'peer', key_id: remoteKey }]),
      '--in',
      join(dir, 'plain.txt'),
      '--out',
      join(dir, 'f.khe'),
    ]);
    expect(enc.status, enc.stderr).toBe(0);

    // A third vault with no local key, only the same remote configured.
    const third = initVault();
    const creds = accessKey(server);
    const sk = join(dir, 'sk');
    writeFileSync(sk, creds.secret);
    expect(
      cli(third, [
        'remote',
        'add',
        '--name',
        'peer',
        '--endpoint',
        served.url,
        '--project-id',
        served.project_id,
        '--access-key',
        creds.access,
        '--secret-key-file',
        sk,
      ]).status,
    ).toBe(0);
    const dec = cli(third, ['file', 'decrypt', '--in', join(dir, 'f.khe'), '--out', join(dir, 'back.txt')]);
    expect(dec.status, dec.stderr).toBe(0);
    expect(dec.json).toMatchObject({ key_id: remoteKey });
    expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe(readFileSync(join(dir, 'plain.txt'), 'utf8'));

    expect(cli(server, ['kms', 'disable-key', '--key-id', remoteKey]).status).toBe(0);
    const refused = cli(third, ['file', 'decrypt', '--in', join(dir, 'f.khe'), '--out', join(dir, 'again.txt')]);
    expect(refused.error?.error_code).toBe('KMS.0209');
    expect(() => statSync(join(dir, 'again.txt'))).toThrow();
  });
});

describe('remote byok', () => {
  it('imports locally generated material into an external remote key, keeping an escrow copy', () => {
    const created = cli(server, ['kms', 'create-key', '--key-alias', 'byok-target', '--origin', 'external']);
    const keyId = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    expect((cli(server, ['kms', 'describe-key', '--key-id', keyId]).json as { key_info: { key_state: string } }).key_info.key_state).toBe('5');
    const escrow = join(tempDir(), 'material.bin');
    const r = cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', keyId, '--material-out', escrow]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ key_id: keyId, material_source: 'generated', material_out: escrow });
    expect(statSync(escrow).mode & 0o777).toBe(0o600);
    expect(readFileSync(escrow)).toHaveLength(32);
    expect((cli(server, ['kms', 'describe-key', '--key-id', keyId]).json as { key_info: { key_state: string } }).key_info.key_state).toBe('2');
    // The imported key is usable, and only the same material can be imported again after deletion.
    expect(cli(server, ['kms', 'encrypt-data', '--key-id', keyId, '--plain-text', 'byok']).status).toBe(0);
    expect(cli(server, ['kms', 'delete-imported-key-material', '--key-id', keyId]).status).toBe(0);
    const other = join(tempDir(), 'other.bin');
    writeFileSync(other, Buffer.alloc(32, 7));
    expect(cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', keyId, '--material-file', other]).error?.error_code).toBe('KMS.2606');
    expect(
      cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', keyId, '--material-file', escrow, '--wrapping-algorithm', 'RSAES_OAEP_SHA_1']).status,
    ).toBe(0);
  });

  it('carries openssl-made key pairs (EC_P256 as traditional PEM, SM2 and ED25519 as PKCS#8) to external remote keys: the remote signs, openssl verifies with the original public key', () => {
    const dir = tempDir();
    const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const cases = [
      {
        spec: 'EC_P256',
        gen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
        file: 'k.trad.pem',
        alg: 'ECDSA_SHA_256',
        verify: ['dgst', '-sha256', '-verify', 'k.pub.pem', '-signature', 'm.sig', 'm.txt'],
      },
      {
        spec: 'SM2',
        gen: ['-algorithm', 'SM2'],
        file: 'k.p8.der',
        alg: 'SM2DSA_SM3',
        verify: [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          'k.pub.pem',
          '-rawin',
          '-digest',
          'sm3',
          '-in',
          'm.txt',
          '-sigfile',
          'm.sig',
          '-pkeyopt',
          'distid:1234567812345678',
        ],
      },
      {
        spec: 'ED25519',
        gen: ['-algorithm', 'ED25519'],
        file: 'k.p8.der',
        alg: 'ED25519_SHA_512',
        verify: ['pkeyutl', '-verify', '-pubin', '-inkey', 'k.pub.pem', '-rawin', '-in', 'm.txt', '-sigfile', 'm.sig'],
      },
    ];
    for (const c of cases) {
      ossl(['genpkey', ...c.gen, '-out', 'k.pem']);
      ossl(['pkcs8', '-topk8', '-nocrypt', '-in', 'k.pem', '-outform', 'DER', '-out', 'k.p8.der']);
      if (c.spec === 'EC_P256') ossl(['ec', '-in', 'k.pem', '-out', 'k.trad.pem']);
      ossl(['pkey', '-in', 'k.pem', '-pubout', '-out', 'k.pub.pem']);
      const created = cli(server, ['kms', 'create-key', '--key-alias', `byok-pair-${c.spec}`, '--key-spec', c.spec, '--origin', 'external']);
      const keyId = (created.json as { key_info: { key_id: string } }).key_info.key_id;
      const r = cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', keyId, '--private-key-file', join(dir, c.file)]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ key_id: keyId, material_source: 'private_key_file', material_out: null });
      expect((cli(server, ['kms', 'get-publickey', '--key-id', keyId]).json as { public_key: string }).public_key.replace(/\s+/g, '')).toBe(
        readFileSync(join(dir, 'k.pub.pem'), 'utf8').replace(/\s+/g, ''),
      );
      writeFileSync(join(dir, 'm.txt'), `signed by the remote ${c.spec}`);
      const sig = cli(server, [
        'kms',
        'sign',
        '--key-id',
        keyId,
        '--signing-algorithm',
        c.alg,
        '--message-type',
        'RAW',
        '--message',
        Buffer.from(`signed by the remote ${c.spec}`).toString('base64'),
      ]);
      writeFileSync(join(dir, 'm.sig'), Buffer.from((sig.json as { signature: string }).signature, 'base64'));
      expect(ossl(c.verify).toString()).toMatch(/Verified OK|Signature Verified Successfully/);
    }
  });

  it('refuses a key pair of another spec (the remote says KMS.2604) and symmetric options beside a private key', () => {
    const dir = tempDir();
    execFileSync('openssl', ['genpkey', '-algorithm', 'ED25519', '-out', join(dir, 'ed.pem')]);
    const created = cli(server, ['kms', 'create-key', '--key-alias', 'byok-pair-mismatch', '--key-spec', 'SM2', '--origin', 'external']);
    const keyId = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    expect(cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', keyId, '--private-key-file', join(dir, 'ed.pem')]).error?.error_code).toBe('KMS.2604');
    expect((cli(server, ['kms', 'describe-key', '--key-id', keyId]).json as { key_info: { key_state: string } }).key_info.key_state).toBe('5');
    const both = cli(client, [
      'remote',
      'byok',
      '--name',
      'peer',
      '--key-id',
      keyId,
      '--private-key-file',
      join(dir, 'ed.pem'),
      '--material-out',
      join(dir, 'x.bin'),
    ]);
    expect(both.error?.error_code).toBe('REMOTE.0002');
    writeFileSync(join(dir, 'junk.der'), Buffer.alloc(100, 3));
    expect(cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', keyId, '--private-key-file', join(dir, 'junk.der')]).error?.error_code).toBe(
      'REMOTE.0002',
    );
  });

  it('refuses to overwrite an existing escrow file before touching the remote', () => {
    const existing = join(tempDir(), 'exists.bin');
    writeFileSync(existing, 'keep me');
    const r = cli(client, ['remote', 'byok', '--name', 'peer', '--key-id', '00000000-0000-4000-8000-000000000000', '--material-out', existing]);
    expect(r.error?.error_code).toBe('REMOTE.0002');
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
  });
});

describe('remote remove', () => {
  it('forgets the remote and its credentials', () => {
    expect(cli(client, ['remote', 'remove', '--name', 'peer']).json).toEqual({
      removed: 'peer',
      forgotten: { csms_bases: expect.any(Number), kms_mirror: expect.any(Number) },
    });
    expect(cli(client, ['remote', 'test', '--name', 'peer']).error?.error_code).toBe('REMOTE.0004');
  });
});
