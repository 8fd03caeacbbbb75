/** Test helpers: throwaway vaults (fast KDF) and the CLI run as a user runs it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Session } from '../../electron/core/api/index.js';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const TEST_PASSWORD = 'correct horse battery staple';

export function tempDir(prefix = 'keyhold-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A new vault in a temp dir, unlocked, with a ~10 ms KDF so tests stay fast. */
export async function newSession(password = TEST_PASSWORD): Promise<{ session: Session; path: string; dir: string }> {
  const dir = tempDir();
  const path = join(dir, 'vault.db');
  const session = await Session.create(path, password, { kdfTargetMs: 10 });
  return { session, path, dir };
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  json: unknown;
  error: { error_code: string; error_msg: string } | undefined;
}

function result(status: number | null, stdout: string, stderr: string): CliResult {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  let error: CliResult['error'];
  try {
    const e = JSON.parse(stderr.split('\n')[0] ?? '') as { error?: CliResult['error'] } & CliResult['error'];
    error = e?.error ?? e;
  } catch {
    error = undefined;
  }
  return { status: status ?? -1, stdout, stderr, json, error };
}

const BIN = join(PROJECT_ROOT, 'bin', 'keyhold.mjs');

/** Runs `keyhold args…` synchronously against `vault` with `password` in KEYHOLD_PASSWORD. */
export function cli(vault: string, args: string[], opts: { password?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, KEYHOLD_VAULT: vault, KEYHOLD_PASSWORD: opts.password ?? TEST_PASSWORD, KEYHOLD_DEBUG: '', ...opts.env },
  });
  return result(r.status, r.stdout, r.stderr);
}

/** The same, asynchronously (lets tests run CLIs in parallel or kill them). */
export function cliAsync(
  vault: string,
  args: string[],
  opts: { password?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KEYHOLD_VAULT: vault, KEYHOLD_PASSWORD: opts.password ?? TEST_PASSWORD, KEYHOLD_DEBUG: '', ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((res) => child.on('close', (code) => res(result(code, stdout, stderr))));
  return { child, done };
}

/** `keyhold init` of a new vault with a fast KDF; returns its path. */
export function initVault(password = TEST_PASSWORD): string {
  const path = join(tempDir(), 'vault.db');
  const r = cli(path, ['init', '--kdf-target-ms', '10'], { password });
  if (r.status !== 0) throw new Error(`init failed: ${r.stderr}`);
  return path;
}

/** A fresh access key (AK/SK) of the vault's own domain, made through the session as the CLI would. */
export async function accessKeyOf(session: Session): Promise<{ access: string; secret: string }> {
  return (await session.invoke('createAccessKey', {}, 'cli')).credential;
}
