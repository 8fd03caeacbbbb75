/** Starts `keyhold serve` on a vault and sends AK/SK-signed requests to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { signRequest } from '../../electron/core/api/index.js';
import { cli, PROJECT_ROOT, TEST_PASSWORD } from './vault.js';

export interface Served {
  url: string;
  project_id: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

export async function startServe(vault: string, args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/keyhold.mjs'), 'serve', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, KEYHOLD_VAULT: vault, KEYHOLD_PASSWORD: TEST_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0] as string);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  const { url, project_id } = JSON.parse(line) as { url: string; project_id: string };
  return {
    url,
    project_id,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export function accessKey(vault: string, role: 'owner' | 'grantee' = 'owner'): { access: string; secret: string } {
  return (cli(vault, ['iam', 'create-access-key', '--description', 'test', '--role', role]).json as { credential: { access: string; secret: string } })
    .credential;
}

/**
 * One signed request on its own connection: a test that blocks in a synchronous CLI call for
 * longer than the server's keep-alive timeout would otherwise reuse a socket the server has
 * just closed ("other side closed").
 */
export async function signedFetch(
  base: string,
  method: string,
  path: string,
  body: unknown,
  creds: { access: string; secret: string },
  opts: { now?: Date; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const url = new URL(path, base);
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8', ...opts.headers };
  const req = { method, path: url.pathname, query: [...url.searchParams.entries()], headers, body: bytes };
  signRequest(req, creds, { now: opts.now, host: url.host });
  const send = method === 'GET' || method === 'DELETE' ? undefined : bytes;
  return new Promise((resolve, reject) => {
    const r = request(url, { method, headers: { ...req.headers, ...(send ? { 'Content-Length': String(send.length) } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, headers: h });
      });
    });
    r.on('error', reject);
    r.end(send);
  });
}
