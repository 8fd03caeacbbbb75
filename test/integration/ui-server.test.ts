// Web mode's server in-process: sessions by cookie, the CSRF guard, file-path operations
// refused over HTTP, locking ends every browser session, cloud routes only while unlocked.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiServer } from '../../electron/server/ui-server.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { tempDir } from '../helpers/vault.js';

let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  const root = join(dir, 'ui');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keyhold</title>');
  const ws = new Workspace(join(dir, 'vault.db'), { transport: 'http', keychain: null, remember: { supported: false, reason: 'web' }, kdfTargetMs: 10 });
  const ui = new UiServer(ws, { staticRoot: root, scheme: 'http' });
  server = createServer(ui.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  ui.listening('127.0.0.1', port);
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function call(op: string, input: unknown, opts: { cookie?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}/keyhold/ui/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-keyhold-ui': '1', origin: base, ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers },
    body: JSON.stringify({ op, input }),
  });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, setCookie, cookie: setCookie?.split(';')[0] };
}

describe('keyhold serve --ui', () => {
  let cookie: string;

  it('serves the page with the CSP, and refuses paths outside the build', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(`${base}/assets/..%2f..%2fvault.db`)).status).toBe(404);
  });

  it('first run: creates the vault and hands out an HttpOnly, SameSite=Strict session cookie', async () => {
    expect((await call('session.status', {})).body.state).toBe('no-vault');
    const created = await call('session.create', { password: 'web mode password' });
    expect(created.status).toBe(200);
    expect(created.body.state).toBe('unlocked');
    expect(created.setCookie).toMatch(/^keyhold_ui=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    cookie = created.cookie as string;
    const keys = await call('listKeys', { key_spec: 'ALL' }, { cookie });
    expect(keys.status).toBe(200);
    expect((keys.body.key_details as { key_alias: string }[]).map((k) => k.key_alias)).toEqual(['kms/default']);
  });

  it('refuses calls without the session, the UI header, the page origin or a known Host', async () => {
    expect((await call('listKeys', {})).status).toBe(401);
    expect((await call('listKeys', {}, { cookie: 'keyhold_ui=forged' })).status).toBe(401);
    expect((await call('listKeys', {}, { cookie, headers: { 'x-keyhold-ui': '0' } })).status).toBe(403);
    expect((await call('listKeys', {}, { cookie, headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await call('listKeys', {}, { cookie, headers: { 'content-type': 'text/plain' } })).status).toBe(403);
    // undici will not let a caller set Host; a raw request does.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = request(
        `${base}/keyhold/ui/call`,
        {
          method: 'POST',
          headers: { host: 'rebound.example', 'x-keyhold-ui': '1', 'content-type': 'application/json', origin: 'http://rebound.example', cookie },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.end(JSON.stringify({ op: 'listKeys', input: {} }));
    });
    expect(status).toBe(421);
  });

  it('never runs an operation that works on files by path', async () => {
    const out = join(dir, 'backup.db');
    const res = await call('vaultBackup', { out }, { cookie });
    expect(res.status).toBe(403);
    expect(res.body.error_msg).toMatch(/desktop app and the CLI only/);
    expect(existsSync(out)).toBe(false);
  });

  it('a second browser sees the vault locked and must give the password', async () => {
    expect((await call('session.status', {})).body.state).toBe('locked');
    const wrong = await call('session.unlock', { password: 'not it' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_code).toBe('VAULT.0101');
    expect(wrong.setCookie).toBeNull();
    const right = await call('session.unlock', { password: 'web mode password' });
    expect(right.status).toBe(200);
    expect((await call('listKeys', {}, { cookie: right.cookie })).status).toBe(200);
  });

  it('locking ends every browser session, and the cloud routes answer only while unlocked', async () => {
    const unsigned = await fetch(`${base}/v1.0/p/kms/list-keys`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401); // unlocked: the AK/SK check answers
    expect((await call('session.lock', {}, { cookie })).setCookie).toMatch(/Max-Age=0/);
    expect((await call('listKeys', {}, { cookie })).status).toBe(401);
    expect((await call('session.status', {})).body.state).toBe('locked');
    const locked = await fetch(`${base}/v1.0/p/kms/list-keys`, { method: 'POST', body: '{}' });
    expect(locked.status).toBe(503);
  });
});
