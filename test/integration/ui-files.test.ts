// Web mode's file endpoints as an attacker and as a user would use them: refusals decided on the
// headers alone (no session, CSRF, oversize, chunked, a path in a field) answer before a byte of
// the body is sent; an aborted upload leaves nothing staged; encrypt → download → decrypt gives
// the bytes back; a download is single-use and only for its own session; sign and verify (a
// tampered file fails); backup downloaded and restored, which needs the current password.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UiServer } from '../../electron/server/ui-server.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { tempDir } from '../helpers/vault.js';

const PASSWORD = 'web files password';
const LIMIT = 64 * 1024 * 1024;
/** A staging folder of a process that no longer runs (pid 999999999 is past any pid_max). */
const DEAD_STAGING = '.keyhold-web-files-999999999-dead00';

let server: Server;
let ui: UiServer;
let base: string;
let port: number;
let dir: string;
let cookie: string;

beforeAll(async () => {
  dir = tempDir();
  const root = join(dir, 'ui');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keyhold</title>');
  const ws = new Workspace(join(dir, 'vault.db'), { transport: 'http', keychain: null, remember: { supported: false, reason: 'web' }, kdfTargetMs: 10 });
  ui = new UiServer(ws, { staticRoot: root, scheme: 'http', uploadLimitBytes: LIMIT });
  server = createServer(ui.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  ui.listening('127.0.0.1', port);
  base = `http://127.0.0.1:${port}`;
  // What a process killed outright (SIGKILL) left: removed when the staging folder is first made.
  mkdirSync(join(dir, DEAD_STAGING));
  writeFileSync(join(dir, DEAD_STAGING, 'plaintext.out'), 'left behind');
  const created = await call('session.create', { password: PASSWORD });
  cookie = created.cookie as string;
});
afterAll(async () => {
  await ui.close();
  await new Promise<void>((r) => server.close(() => r()));
});

async function call(op: string, input: unknown, withCookie = cookie) {
  const res = await fetch(`${base}/keyhold/ui/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-keyhold-ui': '1', origin: base, ...(withCookie ? { cookie: withCookie } : {}) },
    body: JSON.stringify({ op, input }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

/** Every file in the staging folders (the private folder the server makes beside the vault). */
function staged(): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith(`.keyhold-web-files-${process.pid}-`))
    .flatMap((d) => readdirSync(join(dir, d)));
}

function headers(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = { 'content-type': 'application/octet-stream', 'x-keyhold-ui': '1', origin: base, cookie, ...extra };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

const input = (fields: Record<string, unknown>) => encodeURIComponent(JSON.stringify(fields));

/**
 * Sends only the headers of an upload declaring `declared` bytes and waits for the answer; the
 * body is never sent, so an answer proves the server decided without reading any of it.
 */
function headersOnly(
  job: string,
  declared: number,
  extra: Record<string, string | undefined> = {},
): Promise<{ status: number; body: Record<string, unknown>; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/keyhold/ui/file/${job}`,
      { method: 'POST', headers: { ...headers(extra), 'content-length': String(declared) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            sent: req.socket?.bytesWritten ?? 0,
          });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.flushHeaders();
  });
}

/** One file job with its body; the NDJSON answer's lines. */
async function job(name: string, body: Buffer, fields: Record<string, unknown> = {}, withCookie = cookie) {
  const res = await fetch(`${base}/keyhold/ui/file/${name}`, {
    method: 'POST',
    headers: headers({ cookie: withCookie, 'x-keyhold-input': input(fields) }),
    body: new Uint8Array(body),
  });
  const text = await res.text();
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: res.status, lines, last: lines.at(-1) as Record<string, unknown>, setCookie: res.headers.get('set-cookie') };
}

async function download(id: string, withCookie = cookie): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${base}/keyhold/ui/download/${id}`, { headers: { cookie: withCookie } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('web mode file uploads, refused as an attacker would try them', () => {
  it('no session: 401 before any of the body is read', async () => {
    const r = await headersOnly('encrypt', 3 * 1024 * 1024, { cookie: undefined });
    expect(r.status).toBe(401);
    expect(r.body.error_code).toBe('UI.0401');
    const forged = await headersOnly('encrypt', 1024, { cookie: 'keyhold_ui=forged' });
    expect(forged.status).toBe(401);
    expect(staged()).toEqual([]);
  });

  it('CSRF: a missing UI header, another origin or a form content type are refused', async () => {
    for (const extra of [
      { 'x-keyhold-ui': undefined },
      { origin: 'http://evil.example' },
      { origin: undefined },
      { 'content-type': 'multipart/form-data; boundary=x' },
      { 'content-type': 'text/plain' },
    ]) {
      const r = await headersOnly('encrypt', 1024, extra);
      expect(r.status, JSON.stringify(extra)).toBe(403);
      expect(r.body.error_code).toBe('UI.0403');
    }
    // A download is a GET: another site's request is refused even with the cookie.
    const res = await fetch(`${base}/keyhold/ui/download/anything`, { headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(res.status).toBe(403);
  });

  it('oversize: 413 with the bound in words, decided on Content-Length without reading the body; chunked bodies are refused', async () => {
    const r = await headersOnly('encrypt', LIMIT + 1, {});
    expect(r.status).toBe(413);
    expect(r.body.error_code).toBe('UI.0413');
    expect(r.body.error_msg).toMatch(/web mode takes files up to 64 MiB/);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/keyhold/ui/file/encrypt`, { method: 'POST', headers: { ...headers(), 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024));
    });
    expect(chunked).toBe(411);
    expect(staged()).toEqual([]);
  });

  it('oversize or path fields from a browser still sending: the answer comes first, and the connection is not reset', async () => {
    const big = await job('encrypt', Buffer.alloc(LIMIT + 1));
    expect(big.status).toBe(413);
    const path = await job('encrypt', Buffer.alloc(LIMIT), { in: '/etc/passwd' });
    expect(path.status).toBe(400);
    expect(staged()).toEqual([]);
  });

  it('a field naming a file by path is refused, as is any field the job does not take', async () => {
    for (const [name, fields] of [
      ['encrypt', { key_id: '00000000-0000-0000-0000-000000000000', in: '/etc/passwd' }],
      ['encrypt', { out: '/home/user/.bashrc' }],
      ['verify', { signature: '/etc/shadow' }],
      ['verify', { public_key: '/tmp/pub.pem' }],
      ['backup', { current_password: PASSWORD, out: '/tmp/stolen.db' }],
    ] as const) {
      const r = await job(name, name === 'backup' ? Buffer.alloc(0) : Buffer.from('0123456789'), fields);
      expect(r.status, JSON.stringify(fields)).toBe(400);
      expect(r.last.error_msg).toMatch(/names a file by path, which is never accepted over HTTP/);
    }
    const unknown = await job('decrypt', Buffer.from('0123456789'), { force: true });
    expect(unknown.status).toBe(400);
    expect(unknown.last.error_msg).toMatch(/Invalid parameter force/);
    const res = await fetch(`${base}/keyhold/ui/file/encrypt`, { method: 'POST', headers: headers({ 'x-keyhold-input': '%7Bnot json' }), body: 'x' });
    expect(res.status).toBe(400);
    expect(existsSync('/tmp/stolen.db')).toBe(false);
    expect(staged()).toEqual([]);
  });

  it('an upload aborted halfway leaves no staged file', async () => {
    const keyId = await aesKey();
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}/keyhold/ui/file/encrypt`, {
        method: 'POST',
        headers: { ...headers({ 'x-keyhold-input': input({ key_id: keyId }) }), 'content-length': String(LIMIT) },
      });
      req.on('error', () => resolve());
      req.write(randomBytes(1024 * 1024), (e) => {
        if (e) return reject(e);
        // Part of the body is in; the staged file exists while the upload runs.
        vi.waitFor(() => expect(staged().length).toBe(1), { timeout: 20_000 })
          .then(() => req.destroy())
          .catch(reject);
      });
    });
    await vi.waitFor(() => expect(staged()).toEqual([]), { timeout: 20_000 });
  });

  it('a staging folder left by a process that is gone was removed when this one made its own', () => {
    expect(existsSync(join(dir, DEAD_STAGING))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith(`.keyhold-web-files-${process.pid}-`))).toHaveLength(1);
  });

  it('a job cancelled while it runs (the client goes away) stops with FILE.0301 and leaves no staged file', async () => {
    const keyId = await aesKey();
    // 48 MiB in 256-byte frames: the job runs for many batches after its first progress line.
    const body = randomBytes(48 * 1024 * 1024);
    const first = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${base}/keyhold/ui/file/encrypt`,
        { method: 'POST', headers: { ...headers({ 'x-keyhold-input': input({ key_id: keyId, frame_size: 256 }) }), 'content-length': String(body.length) } },
        (res) => {
          res.once('data', (d: Buffer) => {
            req.destroy();
            resolve(d.toString('utf8'));
          });
        },
      );
      req.on('error', () => undefined);
      req.end(body);
      setTimeout(() => reject(new Error('no progress line')), 60_000).unref();
    });
    expect(JSON.parse(first.split('\n')[0] as string)).toMatchObject({ type: 'progress', total: body.length });
    await vi.waitFor(() => expect(staged()).toEqual([]), { timeout: 30_000 });
    const events = (await call('auditListEvents', { limit: '5', operation: 'file encrypt' })).body.events as { outcome: string }[];
    expect(events[0]?.outcome).toBe('FILE.0301');
  });
});

let aesKeyId: string | null = null;
async function aesKey(): Promise<string> {
  if (aesKeyId) return aesKeyId;
  const r = await call('createKey', { key_alias: 'web-files', key_spec: 'AES_256' });
  expect(r.status).toBe(200);
  aesKeyId = (r.body.key_info as { key_id: string }).key_id;
  return aesKeyId;
}

describe('web mode file jobs', () => {
  it('encrypts by upload, decrypts the download by upload, and gives the same bytes back; downloads are single-use and per session', async () => {
    const keyId = await aesKey();
    const plain = randomBytes(3 * 1024 * 1024 + 17);
    const enc = await job('encrypt', plain, { key_id: keyId });
    expect(enc.status).toBe(200);
    expect(enc.lines.some((l) => l.type === 'progress')).toBe(true);
    expect(enc.last).toMatchObject({ type: 'done', result: { key_id: keyId, bytes_in: plain.length } });
    expect(JSON.stringify(enc.last)).not.toContain(dir); // no server path in the answer
    const encId = (enc.last.download as { id: string; bytes: number }).id;

    // Another browser session (same password) cannot take this session's download.
    const other = (await call('session.unlock', { password: PASSWORD }, '')).cookie as string;
    expect((await download(encId, other)).status).toBe(404);
    const envelope = await download(encId);
    expect(envelope.status).toBe(200);
    expect(envelope.bytes.subarray(0, 4).toString('latin1')).toBe('KHEF');
    expect(envelope.bytes.length).toBe((enc.last.download as { bytes: number }).bytes);
    expect((await download(encId)).status).toBe(404); // served once

    const dec = await job('decrypt', envelope.bytes);
    expect(dec.last).toMatchObject({ type: 'done', result: { key_id: keyId, bytes_out: plain.length } });
    const back = await download((dec.last.download as { id: string }).id);
    expect(back.bytes.equals(plain)).toBe(true);

    // A tampered envelope: the error, and no download of unverified plaintext.
    const tampered = Buffer.from(envelope.bytes);
    const at = tampered.length - 100;
    tampered[at] = (tampered[at] as number) ^ 1;
    const bad = await job('decrypt', tampered);
    expect(bad.last).toMatchObject({ type: 'error', error_code: 'FILE.0204' });
    expect(JSON.stringify(bad.lines)).not.toContain(dir);
    expect(staged()).toEqual([]);
  });

  it('signs by upload; the record verifies the file and not a tampered one', async () => {
    const key = await call('createKey', { key_alias: 'web-signer', key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY' });
    const keyId = (key.body.key_info as { key_id: string }).key_id;
    const file = randomBytes(200_000);
    const signed = await job('sign', file, { key_id: keyId });
    expect(signed.last).toMatchObject({ type: 'done', result: { key_id: keyId, signing_algorithm: 'ECDSA_SHA_256' } });
    const record = (await download((signed.last.download as { id: string }).id)).bytes.toString('utf8');
    expect(JSON.parse(record)).toMatchObject({ format: 'keyhold-file-signature', key_id: keyId });
    expect((await job('verify', file, { signature_record: record })).last).toMatchObject({ type: 'done', result: { signature_valid: true }, download: null });
    const changed = Buffer.from(file);
    changed[0] = (changed[0] as number) ^ 1;
    expect((await job('verify', changed, { signature_record: record })).last).toMatchObject({ type: 'done', result: { signature_valid: false } });
    expect(staged()).toEqual([]);
  });

  it('backs the vault up as a download and restores it by upload, only with the current password', async () => {
    // A session cookie alone never takes the vault away (its password could then be guessed offline).
    const cookieOnly = await job('backup', Buffer.alloc(0));
    expect(cookieOnly.status).toBe(400);
    expect(cookieOnly.last.error_code).toBe('VAULT.0106');
    const guessed = await job('backup', Buffer.alloc(0), { current_password: 'a guess' });
    expect(guessed.last.error_code).toBe('VAULT.0101');
    expect(guessed.last.download ?? null).toBeNull();
    const backup = await job('backup', Buffer.alloc(0), { current_password: PASSWORD });
    expect(backup.last).toMatchObject({ type: 'done', download: { bytes: expect.any(Number) } });
    const bytes = (await download((backup.last.download as { id: string }).id)).bytes;
    expect(bytes.subarray(0, 15).toString('latin1')).toBe('SQLite format 3');

    // A key made after the backup disappears with the restore.
    await call('createKey', { key_alias: 'after-backup', key_spec: 'AES_256' });

    const wrong = await job('restore', bytes, { current_password: 'not the password', backup_password: PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.last.error_code).toBe('VAULT.0101');
    const none = await job('restore', bytes, { backup_password: PASSWORD });
    expect(none.last.error_code).toBe('VAULT.0106');
    expect((await call('listKeys', {})).status).toBe(200); // refused before anything: still signed in

    // A backup whose header asks for a 4 GiB Argon2 memory: refused by its bounds before any KDF work.
    const hostile = join(dir, 'hostile.db');
    writeFileSync(hostile, bytes);
    const db = new Database(hostile);
    const h = JSON.parse((db.prepare("SELECT v FROM meta WHERE k = 'header'").get() as { v: string }).v) as { kdf: { m: number } };
    h.kdf.m = 4 * 1024 * 1024;
    db.prepare("UPDATE meta SET v = ? WHERE k = 'header'").run(JSON.stringify(h));
    db.close();
    const bounded = await job('restore', readFileSync(hostile), { current_password: PASSWORD, backup_password: PASSWORD });
    expect(bounded.last).toMatchObject({ error_code: 'VAULT.0103', error_msg: expect.stringMatching(/Argon2 memory must be/) });
    cookie = (await call('session.unlock', { password: PASSWORD }, '')).cookie as string;

    // Not a vault: refused, and the vault is as it was (locked by the attempt, it opens again).
    const junk = await job('restore', randomBytes(4096), { current_password: PASSWORD, backup_password: PASSWORD });
    expect(junk.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(junk.lines)).not.toContain(dir); // the staged path is not named
    cookie = (await call('session.unlock', { password: PASSWORD }, '')).cookie as string;
    expect(((await call('listKeys', { limit: '100' })).body.key_details as { key_alias: string }[]).map((k) => k.key_alias)).toContain('after-backup');

    const restored = await job('restore', bytes, { current_password: PASSWORD, backup_password: PASSWORD });
    expect(restored.last).toMatchObject({ type: 'done', result: { restored: true } });
    expect(restored.setCookie).toMatch(/Max-Age=0/);
    expect((await call('listKeys', {})).status).toBe(401); // every session ended
    cookie = (await call('session.unlock', { password: PASSWORD }, '')).cookie as string;
    const aliases = ((await call('listKeys', { limit: '100' })).body.key_details as { key_alias: string }[]).map((k) => k.key_alias);
    expect(aliases).toContain('web-files');
    expect(aliases).not.toContain('after-backup');
    expect(staged()).toEqual([]);
    expect(existsSync(join(dir, 'vault.db'))).toBe(true);
  });
});
