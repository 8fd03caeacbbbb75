// Two Keyhold vaults on loopback: one serves, the other runs operations on it with --remote.
import { writeFileSync } from 'node:fs';
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
  const added = cli(client, ['remote', 'add', '--name', 'peer', '--endpoint', served.url, '--project-id', served.project_id, '--access-key', creds.access, '--secret-key-file', secretFile]);
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
    const ct = (cli(client, ['--remote', 'peer', 'kms', 'encrypt-data', '--key-id', keyId, '--plain-text', 'far away']).json as { cipher_text: string }).cipher_text;
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

  it('tests, lists and removes a remote', () => {
    expect(cli(client, ['remote', 'test', '--name', 'peer']).json).toMatchObject({ remote: 'peer', reachable: true });
    expect((cli(client, ['remote', 'list']).json as { remotes: { name: string }[] }).remotes.map((r) => r.name)).toEqual(['peer']);
    expect(cli(client, ['--remote', 'nobody', 'kms', 'list-keys']).error?.error_code).toBe('REMOTE.0004');
  });
});
