/**
 * `keyhold agent start|stop|lock|unlock|status` (docs/agent.md).
 *
 * `start` unlocks the vault in a detached child process (the same `keyhold`, run with
 * `--foreground`), which reports back over an IPC channel: asks for a prompt when it needs a
 * password and the keychain has none, then sends its sockets. The parent prints one JSON line
 * `{"pid","socket","ssh_auth_sock"}` (or, with `--sh`, the exports for `eval`) and exits. When an
 * agent already serves the vault, `start` prints that one's line instead of starting another.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { AgentErrors } from '../../../shared/operations/ssh-agent.js';
import { AUTO_LOCK_DEFAULT_MINUTES } from '../../../shared/ui/contract.js';
import { canPrompt, promptHidden } from '../password.js';
import { awaitResult, errorFrom, findAgent } from '../../agent/client.js';
import { agentPaths, ensureSocketDir, realVaultPath } from '../../agent/paths.js';
import { Agent, agentCredentials, type AgentInfo } from '../../agent/server.js';

export interface AgentCommand {
  action: string | undefined;
  vault: string;
  flags: Map<string, string | true>;
  /** The password given on the command line's terms (--password-stdin, $KEYHOLD_PASSWORD), if any. */
  explicitPassword: () => string | undefined;
}

/** Set in the detached child: its stdin is not the user's, it talks to its parent over IPC. */
const DETACHED_ENV = 'KEYHOLD_AGENT_DETACHED';

function bad(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.BadArgument, message, 400);
}

function checkFlags(cmd: AgentCommand, allowed: string[]): void {
  for (const f of cmd.flags.keys()) if (!allowed.includes(f)) throw bad(`Unknown option --${f} for agent ${cmd.action ?? ''}.`);
}

function idleLockSeconds(cmd: AgentCommand): number {
  const v = cmd.flags.get('idle-lock-seconds');
  if (v === undefined) return AUTO_LOCK_DEFAULT_MINUTES * 60;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 0 || n > 7 * 24 * 3600) throw bad('Option --idle-lock-seconds must be an integer from 0 (never) to 604800.');
  return n;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What `start` prints: the contract's JSON line, or shell exports for `eval`. */
export function startLine(info: AgentInfo, sh: boolean): string {
  if (sh) return `export KEYHOLD_AGENT_SOCK=${shQuote(info.socket)}; export SSH_AUTH_SOCK=${shQuote(info.ssh_auth_sock)};\n`;
  return `${JSON.stringify({ pid: info.pid, socket: info.socket, ssh_auth_sock: info.ssh_auth_sock })}\n`;
}

/** Sends one control request to the agent serving the vault; AGENT.0203 when there is none. */
async function control(vault: string, message: Record<string, unknown>): Promise<{ result: unknown }> {
  const found = await findAgent(vault);
  if (!found) throw new KeyholdError(AgentErrors.NotRunning, `No agent serves ${realVaultPath(vault)}: start one with \`keyhold agent start\`.`, 404);
  found.conn.send(message);
  try {
    return { result: await awaitResult(found.conn) };
  } finally {
    found.conn.close();
  }
}

async function waitGone(path: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (existsSync(path)) {
    if (Date.now() > until) throw new KeyholdError(LocalErrors.Internal, `The agent did not remove ${path} in time.`, 500);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs the agent in this process until it is stopped (SIGTERM, SIGINT, SIGHUP or `agent stop`). */
async function runForeground(cmd: AgentCommand, credentials: Parameters<Agent['start']>[0], onReady: (info: AgentInfo) => void): Promise<void> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} keyhold agent[${process.pid}]: ${line}\n`);
  const agent = new Agent(cmd.vault, idleLockSeconds(cmd), log);
  const info = await agent.start(credentials);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, () => void agent.stop());
  onReady(info);
  await agent.stopped;
}

async function startDetachedChild(cmd: AgentCommand): Promise<void> {
  // The parent's first message carries the password it was given, if any.
  const first = await new Promise<{ password?: string }>((resolve) => process.once('message', (m) => resolve(m as { password?: string })));
  const ask = () =>
    new Promise<string | undefined>((resolve) => {
      process.once('message', (m) => resolve((m as { password?: string | null }).password ?? undefined));
      process.send?.({ ask: 'password' });
    });
  try {
    await runForeground(cmd, agentCredentials(first.password, ask), (info) => {
      process.send?.({ ready: info }, () => process.disconnect());
    });
  } catch (e) {
    const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
    process.stderr.write(`${err.code} ${err.message}\n`);
    process.send?.({ error: { code: err.code, message: err.message, status: err.status } }, () => process.disconnect());
  }
}

async function start(cmd: AgentCommand): Promise<void> {
  checkFlags(cmd, ['sh', 'foreground', 'idle-lock-seconds']);
  const sh = cmd.flags.get('sh') === true;
  idleLockSeconds(cmd);
  if (process.env[DETACHED_ENV] === '1' && process.send) return startDetachedChild(cmd);
  const password = cmd.explicitPassword();
  if (cmd.flags.get('foreground') === true) {
    const ask = async () => (canPrompt() ? promptHidden('Master password: ') : undefined);
    return runForeground(cmd, agentCredentials(password, ask), (info) => process.stdout.write(startLine(info, sh)));
  }
  const running = await findAgent(cmd.vault);
  if (running) {
    running.conn.close();
    return void process.stdout.write(startLine(running.hello, sh));
  }
  const paths = agentPaths(cmd.vault);
  ensureSocketDir(paths.dir);
  const logFd = openSync(paths.log, 'a', 0o600);
  const args = [
    ...process.execArgv,
    process.argv[1] as string,
    'agent',
    'start',
    '--foreground',
    '--vault',
    realVaultPath(cmd.vault),
    '--idle-lock-seconds',
    String(idleLockSeconds(cmd)),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, [DETACHED_ENV]: '1' };
  // The child gets the password over IPC, once; it must not sit in a long-lived environment.
  delete env.KEYHOLD_PASSWORD;
  delete env.KEYHOLD_AGENT_SOCK;
  const child = spawn(process.execPath, args, { detached: true, cwd: '/', env, stdio: ['ignore', 'ignore', logFd, 'ipc'] });
  closeSync(logFd);
  const info = await new Promise<AgentInfo>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new KeyholdError(AgentErrors.StartFailed, `The agent exited (code ${code}) before it was ready; see ${paths.log}.`, 500)),
    );
    child.once('error', () => reject(new KeyholdError(AgentErrors.StartFailed, 'The agent could not be started.', 500)));
    child.on('message', (m: { ask?: string; ready?: AgentInfo; error?: unknown }) => {
      if (m.ready) resolve(m.ready);
      else if (m.error) reject(errorFrom(m as Record<string, unknown>) ?? new KeyholdError(AgentErrors.StartFailed, 'The agent could not be started.', 500));
      else if (m.ask === 'password') {
        if (!canPrompt()) return void child.send({ password: null });
        promptHidden('Master password: ').then(
          (p) => child.send({ password: p }),
          () => child.send({ password: null }),
        );
      }
    });
    child.send({ password });
  });
  child.removeAllListeners();
  child.disconnect();
  child.unref();
  process.stdout.write(startLine(info, sh));
}

export async function agentCommand(cmd: AgentCommand): Promise<unknown> {
  // Unix sockets only so far; Windows would need OpenSSH's named pipe (docs/agent.md, "Not done").
  if (process.platform === 'win32') throw new KeyholdError(LocalErrors.Unsupported, 'keyhold agent is not available on Windows yet.', 400);
  switch (cmd.action) {
    case 'start':
      await start(cmd);
      return undefined;
    case 'stop': {
      checkFlags(cmd, []);
      const { result } = await control(cmd.vault, { control: 'stop' });
      const found = agentPaths(cmd.vault);
      await waitGone(found.cli);
      await waitGone(found.ssh);
      return result;
    }
    case 'lock':
      checkFlags(cmd, []);
      return (await control(cmd.vault, { control: 'lock' })).result;
    case 'unlock': {
      checkFlags(cmd, []);
      const password = cmd.explicitPassword();
      try {
        return (await control(cmd.vault, { control: 'unlock', password })).result;
      } catch (e) {
        if (!(e instanceof KeyholdError && e.code === LocalErrors.PasswordRequired && password === undefined && canPrompt())) throw e;
        return (await control(cmd.vault, { control: 'unlock', password: await promptHidden('Master password: ') })).result;
      }
    }
    case 'status': {
      checkFlags(cmd, []);
      const found = await findAgent(cmd.vault);
      if (!found) return { running: false, vault: realVaultPath(cmd.vault) };
      found.conn.send({ control: 'status' });
      try {
        return await awaitResult(found.conn);
      } finally {
        found.conn.close();
      }
    }
    default:
      throw new KeyholdError(
        LocalErrors.UnknownOperation,
        `Unknown agent command${cmd.action ? ` ${cmd.action}` : ''}: use agent start|stop|lock|unlock|status.`,
        400,
      );
  }
}
