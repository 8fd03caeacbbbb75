/** Test helpers for `keyhold agent`: the CLI run in a chosen directory and runtime dir, and agents stopped by pid. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, TEST_PASSWORD, type CliResult } from './vault.js';

const BIN = join(PROJECT_ROOT, 'bin', 'keyhold.mjs');

/** A private runtime directory (as $XDG_RUNTIME_DIR is), so each test's agents have their own sockets. */
export function runtimeDir(): string {
  return mkdtempSync(join(tmpdir(), 'keyhold-run-'));
}

export interface RunOpts {
  vault: string;
  runtime: string;
  /** Give the master password in KEYHOLD_PASSWORD (default: none, as a user of the agent would). */
  password?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export function kh(args: string[], o: RunOpts): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, KEYHOLD_VAULT: o.vault, XDG_RUNTIME_DIR: o.runtime, KEYHOLD_DEBUG: '', ...o.env };
  delete env.KEYHOLD_AGENT_SOCK;
  delete env.KEYHOLD_PASSWORD;
  delete env.SSH_AUTH_SOCK;
  if (o.password !== undefined) env.KEYHOLD_PASSWORD = o.password;
  if (o.env?.KEYHOLD_AGENT_SOCK) env.KEYHOLD_AGENT_SOCK = o.env.KEYHOLD_AGENT_SOCK;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: o.cwd ?? PROJECT_ROOT, input: o.input ?? '', encoding: 'utf8', env, timeout: 60_000 });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  let error: CliResult['error'];
  try {
    const e = JSON.parse(r.stderr.split('\n')[0] ?? '') as { error?: CliResult['error'] } & CliResult['error'];
    error = e?.error ?? e;
  } catch {
    error = undefined;
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json, error };
}

export interface StartedAgent {
  pid: number;
  socket: string;
  ssh_auth_sock: string;
}

/** `keyhold agent start` with the test password; throws unless it printed the contract line. */
export function startAgent(o: Omit<RunOpts, 'password'>, extra: string[] = []): StartedAgent {
  const r = kh(['agent', 'start', ...extra], { ...o, password: TEST_PASSWORD });
  if (r.status !== 0) throw new Error(`agent start failed: ${r.stderr}`);
  return r.json as StartedAgent;
}

/** Ends an agent this test started, by its pid, if it still runs. */
export function killAgent(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
