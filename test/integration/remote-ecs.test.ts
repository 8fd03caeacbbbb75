// ECS through a remote: a small signed-request-checking ECS stand-in on loopback serves a
// password blob made by openssl (PKCS#1 v1.5, as Cloudbase-Init does); Keyhold fetches and
// decrypts it with an ssh-keygen private key.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthorization, verifySignature } from '../../electron/core/remote/signer.js';
import { cli, cliAsync, initVault, tempDir } from '../helpers/vault.js';

// The ECS stand-in runs in this process, so the CLI must run asynchronously beside it.
const run = (vault: string, args: string[]) => cliAsync(vault, args).done;

const dir = tempDir();
const key = join(dir, 'id_rsa');
let server: Server;
let client: string;
let requests: { path: string; signed: boolean }[] = [];
const creds = { access: 'ECSACCESSKEY00000000', secret: 'ecs-secret-key' };

beforeAll(async () => {
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', key]);
  execFileSync('openssl', ['rsa', '-in', key, '-pubout', '-out', join(dir, 'pub.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'pw.txt'), 'Sup3r-Secret!');
  const blob = execFileSync('openssl', [
    'pkeyutl',
    '-encrypt',
    '-pubin',
    '-inkey',
    join(dir, 'pub.pem'),
    '-pkeyopt',
    'rsa_padding_mode:pkcs1',
    '-in',
    join(dir, 'pw.txt'),
  ]).toString('base64');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = parseAuthorization(req.headers.authorization);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const signed = !!auth && verifySignature({ method: req.method ?? '', path: url.pathname, query: [], headers, body: Buffer.alloc(0) }, auth, creds.secret);
    requests.push({ path: url.pathname, signed });
    if (signed && url.pathname === '/v1/proj1/cloudservers/srv-unset/os-server-password') return void res.end('{"password":""}');
    const known = url.pathname === '/v1/proj1/cloudservers/srv-1/os-server-password';
    res.writeHead(signed && known ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(signed && known ? JSON.stringify({ password: blob }) : '{"error_code":"Ecs.0114","error_msg":"Instance not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ecs = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  client = initVault();
  writeFileSync(join(dir, 'sk'), creds.secret);
  const added = cli(client, [
    'remote',
    'add',
    '--name',
    'cloud',
    '--endpoint',
    ecs,
    '--ecs-endpoint',
    ecs,
    '--project-id',
    'proj1',
    '--access-key',
    creds.access,
    '--secret-key-file',
    join(dir, 'sk'),
  ]);
  expect(added.status, added.stderr).toBe(0);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('remote windows-password', () => {
  it('fetches the blob with a signed GET and decrypts it locally', async () => {
    requests = [];
    const r = await run(client, ['remote', 'windows-password', '--name', 'cloud', '--server-id', 'srv-1', '--private-key', key]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ password: 'Sup3r-Secret!' });
    expect(requests).toEqual([{ path: '/v1/proj1/cloudservers/srv-1/os-server-password', signed: true }]);
  });

  it('a server whose password was never set is REMOTE.0007 (no such value on the remote), not REMOTE.0006 (a write of unknown outcome)', async () => {
    const r = await run(client, ['remote', 'windows-password', '--name', 'cloud', '--server-id', 'srv-unset', '--private-key', key]);
    expect(r.status).toBe(2);
    expect(r.error?.error_code).toBe('REMOTE.0007');
  });

  it('passes the remote error through for an unknown server', async () => {
    const r = await run(client, ['remote', 'windows-password', '--name', 'cloud', '--server-id', 'nope', '--private-key', key]);
    expect(r.status).toBe(2);
    expect(r.error?.error_code).toBe('Ecs.0114');
  });

  it('never logs the password in the audit log', () => {
    const events = JSON.stringify(cli(client, ['audit', 'list-events', '--limit', '50']).json);
    expect(events).toContain('remote windows-password');
    expect(events).not.toContain('Sup3r-Secret!');
  });
});
