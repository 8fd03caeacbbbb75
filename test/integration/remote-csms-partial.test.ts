// A push that fails midway records what the remote accepted, so a rerun continues instead of
// reporting a conflict. The remote is a small CSMS stand-in on loopback that fails on demand.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, initVault, tempDir } from '../helpers/vault.js';

let server: Server;
let client: string;
let failVersions = true;
const versions: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as { secret_string?: string }) : {};
      if (req.method === 'GET' && path === '/v1/p/secrets')
        return json(200, { secrets: versions.length ? [{ id: 'sid', name: 's', state: 'ENABLED' }] : [], page_info: {} });
      if (req.method === 'GET' && path === '/v1/p/secrets/s')
        return versions.length
          ? json(200, { secret: { id: 'sid', name: 's', state: 'ENABLED' } })
          : json(404, { error_code: 'CSMS.0005', error_msg: 'no such secret' });
      if (req.method === 'GET' && path === '/v1/p/secrets/s/versions') {
        return json(200, {
          version_metadatas: versions.map((_, i) => ({ id: `v${i + 1}`, create_time: i, version_stages: i === versions.length - 1 ? ['SYSCURRENT'] : [] })),
          page_info: { current_count: versions.length },
        });
      }
      if (req.method === 'POST' && path === '/v1/p/secrets') {
        versions.push(body.secret_string ?? '');
        return json(200, { secret: { name: 's' } });
      }
      if (req.method === 'POST' && path === '/v1/p/secrets/s/versions') {
        if (failVersions) return json(500, { error_code: 'CSMS.0001', error_msg: 'internal error' });
        versions.push(body.secret_string ?? '');
        return json(200, { version_metadata: { id: `v${versions.length}` } });
      }
      json(404, { error_code: 'APIGW.0101', error_msg: `no route ${req.method} ${path}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = initVault();
  const sk = join(tempDir(), 'sk');
  writeFileSync(sk, 'secret');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  expect(cli(client, ['remote', 'add', '--name', 'flaky', '--endpoint', url, '--project-id', 'p', '--access-key', 'AK', '--secret-key-file', sk]).status).toBe(
    0,
  );
  expect(cli(client, ['csms', 'create-secret', '--name', 's', '--secret-string', 'a']).status).toBe(0);
  for (const v of ['b', 'c']) expect(cli(client, ['csms', 'create-secret-version', '--secret-name', 's', '--secret-string', v]).status).toBe(0);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('remote sync --service csms --direction push, interrupted', () => {
  it('reports the failure, keeps what the remote accepted, and continues on rerun', async () => {
    const push = () => cliAsync(client, ['remote', 'sync', '--name', 'flaky', '--service', 'csms', '--direction', 'push']).done;
    const first = await push();
    // Not complete: exit 1. A 500 to a version write is no proof it did nothing: it is read back
    // (not there), never sent again blindly.
    expect(first.status, first.stderr).toBe(1);
    expect(first.json).toMatchObject({ applied: true, complete: false, changes: [expect.objectContaining({ id: 's', action: 'failed' })] });
    expect(versions).toEqual(['a']);
    failVersions = false;
    const second = await push();
    expect(second.status, second.stderr).toBe(0);
    expect(second.json).toMatchObject({ complete: true, changes: [expect.objectContaining({ id: 's', action: 'update' })] });
    expect(versions).toEqual(['a', 'b', 'c']);
  });
});
