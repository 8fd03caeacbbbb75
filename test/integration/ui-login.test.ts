// Web mode against a hostile browser (issue #16): the login throttle (fake clock) with every
// failure audited without the guess; change-password needs the current password and signs
// every other browser out; the master-password policy; Host checks on a wildcard bind;
// session.status before login says only whether there is a vault and that it is locked.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiServer } from '../../electron/server/ui-server.js';
import { Workspace } from '../../electron/ui/workspace.js';
import type { AuditEvent } from '../../shared/operations/index.js';
import { tempDir } from '../helpers/vault.js';

const PASSWORD = 'web mode password';
let server: Server;
let port: number;
let ws: Workspace;
let vaultPath: string;
let t = 1_700_000_000_000;
const advance = (ms: number) => (t += ms);

beforeAll(async () => {
  const dir = tempDir();
  const root = join(dir, 'ui');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keyhold</title>');
  vaultPath = join(dir, 'vault.db');
  ws = new Workspace(vaultPath, { transport: 'http', keychain: null, remember: { supported: false, reason: 'web' }, kdfTargetMs: 10 });
  const ui = new UiServer(ws, { staticRoot: root, scheme: 'http', allowHosts: ['keyhold.lan'], now: () => t });
  server = createServer(ui.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  // As `serve --ui --host 0.0.0.0 --allow-host keyhold.lan` would.
  ui.listening('0.0.0.0', port);
});
afterAll(async () => {
  await ws.lock('closed');
  await new Promise<void>((r) => server.close(() => r()));
});

/** A UI call with an explicit Host (undici will not set one), from the page at that host. */
function call(
  op: string,
  input: unknown,
  opts: { cookie?: string; host?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; cookie?: string }> {
  const host = opts.host ?? `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/keyhold/ui/call',
        agent: false,
        headers: { host, origin: `http://${host}`, 'content-type': 'application/json', 'x-keyhold-ui': '1', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const set = res.headers['set-cookie']?.[0];
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            cookie: set && !/Max-Age=0/.test(set) ? set.split(';')[0] : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ op, input }));
  });
}

async function auditFailures(): Promise<AuditEvent[]> {
  const { events } = await ws.current!.invoke('auditListEvents', { limit: 1000 }, 'cli');
  return events.filter((e) => e.operation === 'web login-failed');
}

describe('web mode: first run and what an anonymous browser learns', () => {
  it('refuses a master password below the policy at first run (VAULT.0108), then creates the vault', async () => {
    const weak = await call('session.create', { password: 'a' });
    expect(weak.body.error_code).toBe('VAULT.0108');
    expect(weak.body.error_msg).toMatch(/at least 8 characters/);
    const created = await call('session.create', { password: PASSWORD });
    expect(created.status).toBe(200);
    await ws.lock('user');
  });

  it('session.status before login says only that the vault exists and is locked: no path', async () => {
    const status = await call('session.status', {});
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ state: 'locked', transport: 'http', remember: { supported: false, reason: 'web' }, remembered: false });
    expect(JSON.stringify(status.body)).not.toContain(vaultPath);
  });
});

describe('web mode: Host allow-list on a wildcard bind', () => {
  it('answers loopback and the --allow-host names, and refuses any other Host with 421', async () => {
    expect((await call('session.status', {}, { host: `localhost:${port}` })).status).toBe(200);
    expect((await call('session.status', {}, { host: `keyhold.lan:${port}` })).status).toBe(200);
    for (const host of [`rebound.example:${port}`, `192.0.2.1:${port}`, `keyhold.lan:${port + 1}`, `0.0.0.0:${port}`]) {
      const r = await call('session.status', {}, { host });
      expect([host, r.status, r.body.error_code]).toEqual([host, 421, 'UI.0421']);
    }
  });
});

describe('web mode: login throttle', () => {
  it('free tries, then 429 without checking the password; a wait lets the next try through', async () => {
    for (let i = 0; i < 3; i++) expect((await call('session.unlock', { password: `guess-number-${i}` })).body.error_code).toBe('VAULT.0101');
    const throttled = await call('session.unlock', { password: PASSWORD });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error_code).toBe('UI.0429');
    expect(ws.unlocked).toBe(false);
    advance(1_000);
    const right = await call('session.unlock', { password: PASSWORD });
    expect(right.status).toBe(200);
    expect(right.cookie).toBeDefined();
  });

  it('audits every wrong password (client, time, what) without the guess, once the vault is open', async () => {
    const failures = await auditFailures();
    expect(failures).toHaveLength(3);
    for (const f of failures) {
      expect(f.outcome).toBe('VAULT.0101');
      expect(f.fields).toMatchObject({ client: '127.0.0.1', attempt: 'unlock', attempted_at: expect.any(String) });
    }
    expect(JSON.stringify(failures)).not.toMatch(/guess-number/);
  });

  it('locks a client out after 10 failures: even the right password waits out the window', async () => {
    advance(60 * 60_000);
    for (let i = 0; i < 10; i++) {
      expect((await call('session.unlock', { password: `guess-again-${i}` })).body.error_code).toBe('VAULT.0101');
      advance(61_000);
    }
    const locked = await call('session.unlock', { password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error_msg).toMatch(/locked/);
    advance(15 * 60_000);
    expect((await call('session.unlock', { password: PASSWORD })).status).toBe(200);
    // The vault was open all along: these failures were audited at once.
    expect(await auditFailures()).toHaveLength(13);
  });
});

describe('web mode: change-password', () => {
  it('needs the current password, enforces the policy, and signs every other browser out', async () => {
    advance(60 * 60_000);
    const mine = (await call('session.unlock', { password: PASSWORD })).cookie!;
    const other = (await call('session.unlock', { password: PASSWORD })).cookie!;
    expect((await call('listKeys', {}, { cookie: other })).status).toBe(200);

    const noCurrent = await call('vaultChangePassword', { new_password: 'the new master password' }, { cookie: mine });
    expect([noCurrent.status, noCurrent.body.error_code]).toEqual([400, 'VAULT.0106']);
    const wrongCurrent = await call('vaultChangePassword', { current_password: 'not the password', new_password: 'the new master password' }, { cookie: mine });
    expect(wrongCurrent.body.error_code).toBe('VAULT.0101');
    const weak = await call('vaultChangePassword', { current_password: PASSWORD, new_password: 'short' }, { cookie: mine });
    expect(weak.body.error_code).toBe('VAULT.0108');
    // None of these changed anything, or signed anyone out.
    expect((await call('listKeys', {}, { cookie: other })).status).toBe(200);

    const changed = await call('vaultChangePassword', { current_password: PASSWORD, new_password: 'the new master password' }, { cookie: mine });
    expect(changed.status).toBe(200);
    expect((await call('listKeys', {}, { cookie: other })).status).toBe(401);
    expect((await call('listKeys', {}, { cookie: mine })).status).toBe(200);
    expect((await call('session.unlock', { password: 'the new master password' })).status).toBe(200);
    expect((await call('session.unlock', { password: PASSWORD })).body.error_code).toBe('VAULT.0101');
    expect((await auditFailures()).some((f) => (f.fields as { attempt: string }).attempt === 'change-password')).toBe(true);
  });
});
