// Access keys in web mode (issue 24): a signed-in browser may list them, but creating, changing
// or deleting one — a credential that outlives the browser session — takes the master password
// again, checked under the login throttle and audited when wrong (never the guess). A key made
// this way signs requests to the same server's cloud routes. The hostile sequences: a session
// cookie alone, a wrong password, and guessing until the throttle answers 429.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiServer } from '../../electron/server/ui-server.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { signedFetch } from '../helpers/serve.js';
import { tempDir } from '../helpers/vault.js';

const PASSWORD = 'web mode password';
let server: Server;
let port: number;
let ws: Workspace;
let cookie: string;
let t = 1_700_000_000_000;

beforeAll(async () => {
  const dir = tempDir();
  const root = join(dir, 'ui');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keyhold</title>');
  ws = new Workspace(join(dir, 'vault.db'), { transport: 'http', keychain: null, remember: { supported: false, reason: 'web' }, kdfTargetMs: 10 });
  const ui = new UiServer(ws, { staticRoot: root, scheme: 'http', allowHosts: [], now: () => t });
  server = createServer(ui.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  ui.listening('127.0.0.1', port);
  cookie = (await call('session.create', { password: PASSWORD })).cookie as string;
});
afterAll(async () => {
  await ws.lock('closed');
  await new Promise<void>((r) => server.close(() => r()));
});

function call(op: string, input: unknown, withCookie = true): Promise<{ status: number; body: Record<string, unknown>; cookie?: string }> {
  const host = `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/keyhold/ui/call',
        agent: false,
        headers: { host, origin: `http://${host}`, 'content-type': 'application/json', 'x-keyhold-ui': '1', ...(withCookie && cookie ? { cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const set = res.headers['set-cookie']?.[0];
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, cookie: set?.split(';')[0] });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ op, input }));
  });
}

const keys = async () => (await call('listAccessKeys', {})).body.credentials as { access: string; status: string }[];

describe('access keys in web mode', () => {
  it('a session cookie alone lists them but cannot create, disable or delete one', async () => {
    expect((await call('listAccessKeys', {})).status).toBe(200);
    const bare = await call('createAccessKey', { description: 'cookie only' });
    expect(bare.body.error_code).toBe('VAULT.0106');
    expect(await keys()).toEqual([]);
  });

  it('a wrong password is refused and audited without the guess; guessing meets the throttle', async () => {
    const wrong = await call('createAccessKey', { description: 'guess', current_password: 'hunter2 guess' });
    expect(wrong.body.error_code).toBe('VAULT.0101');
    const { events } = (await ws.current!.call('audit', 'list-events', { limit: 100 }, 'cli')) as {
      events: { operation: string; fields: Record<string, unknown> }[];
    };
    const failed = events.filter((e) => e.operation === 'web login-failed');
    expect(failed.at(0)?.fields).toMatchObject({ attempt: 'access-key' });
    expect(JSON.stringify(events)).not.toContain('hunter2 guess');
    let status = 0;
    for (let i = 0; i < 5 && status !== 429; i++) status = (await call('createAccessKey', { current_password: `guess ${i}` })).status;
    expect(status).toBe(429);
    // Even the right password waits its turn while the client is throttled.
    expect((await call('createAccessKey', { current_password: PASSWORD })).status).toBe(429);
    expect(await keys()).toEqual([]);
    t += 20 * 60_000;
  });

  it('with the password: created (its secret shown once), it signs cloud requests to this server; disabled and deleted the same way', async () => {
    const made = await call('createAccessKey', { description: 'from a browser', current_password: PASSWORD });
    expect(made.status).toBe(200);
    const cred = (made.body as { credential: { access: string; secret: string } }).credential;
    expect(cred.secret).toMatch(/^\S{40}$/);
    const project = ((await call('vaultShow', {})).body as { project_id: string }).project_id;
    const listed = await signedFetch(`http://127.0.0.1:${port}`, 'POST', `/v1.0/${project}/kms/list-keys`, {}, cred);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(await keys())).not.toContain(cred.secret);
    expect((await call('updateAccessKey', { access: cred.access, status: 'inactive' })).body.error_code).toBe('VAULT.0106');
    expect((await call('updateAccessKey', { access: cred.access, status: 'inactive', current_password: PASSWORD })).status).toBe(200);
    expect((await signedFetch(`http://127.0.0.1:${port}`, 'POST', `/v1.0/${project}/kms/list-keys`, {}, cred)).status).toBe(401);
    expect((await call('deleteAccessKey', { access: cred.access, current_password: PASSWORD })).status).toBe(200);
    expect(await keys()).toEqual([]);
  });
});
