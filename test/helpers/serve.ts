/** Starts `keyhold serve` on a vault and sends AK/SK-signed requests to it. */
import { spawn, type ChildProcess } from 'node:child_process';
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
  return (cli(vault, ['iam', 'create-access-key', '--description', 'test', '--role', role]).json as { credential: { access: string; secret: string } }).credential;
}

export async function signedFetch(base: string, method: string, path: string, body: unknown, creds: { access: string; secret: string }, opts: { now?: Date; headers?: Record<string, string> } = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const url = new URL(path, base);
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8', ...opts.headers };
  const req = { method, path: url.pathname, query: [...url.searchParams.entries()], headers, body: bytes };
  signRequest(req, creds, { now: opts.now, host: url.host });
  const res = await fetch(url, { method, headers: req.headers, body: method === 'GET' || method === 'DELETE' ? undefined : bytes });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}
