/**
 * The agent process: holds the unlocked vault (VaultHolder) and serves two sockets, Keyhold's
 * own channel for the CLI (one JSON line per message, see client.ts) and the SSH agent protocol
 * (ssh-server.ts). Every CLI call runs through `Session.run` with the transport `agent`, so it is
 * validated, audited and answered exactly as it would be in the CLI's own process.
 *
 * File jobs (operations that read or write files by path) run here too, streaming from and to
 * the same files the CLI names: the agent changes into the caller's working directory for the
 * job, so relative paths, outputs and audit entries are what they would be without the agent.
 * That directory is process-wide, so file jobs run one at a time; other calls are not held up.
 */
import { rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { findOperation, OsKeychain, type CallHooks, type Credentials } from '../core/api/index.js';
import { AgentErrors } from '../../shared/operations/ssh-agent.js';
import { AGENT_PROTOCOL, AgentConnection, type AgentHello } from './client.js';
import { readLines, send, type Message } from './lines.js';
import { watchOsLockEvents } from './os-events.js';
import { agentPaths, ensureSocketDir, isPipe, realVaultPath, type AgentPaths } from './paths.js';
import { SshAgentConnection } from './ssh-server.js';
import type { SignConfirmer } from './confirm.js';
import { VaultHolder, type AgentVault } from './vault-holder.js';

function inode(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

/** How often the agent checks that its socket files are still its own. */
const SOCKET_CHECK_MS = 5_000;

export interface AgentInfo {
  pid: number;
  socket: string;
  ssh_auth_sock: string;
}

/** Credentials in the CLI's order: a given password, the OS keychain, then `ask` (a prompt). */
export function agentCredentials(
  password: string | undefined,
  ask: () => Promise<string | undefined> = async () => undefined,
): (vaultId: string) => Promise<Credentials> {
  return async (vaultId) => {
    if (password !== undefined) return { password };
    const remembered = new OsKeychain().get(vaultId);
    if (remembered) return { deviceSecret: Buffer.from(remembered, 'base64') };
    const asked = await ask();
    if (asked !== undefined) return { password: asked };
    throw new KeyholdError(LocalErrors.PasswordRequired, 'The vault is locked: give the password with --password-stdin or KEYHOLD_PASSWORD.', 400);
  };
}

function wireError(e: unknown): Message {
  const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
  return { error: { code: err.code, message: err.message, status: err.status } };
}

function listen(server: Server, path: string): Promise<void> {
  // Sockets are created 0600 (never briefly open to others); the directory is 0700 anyway.
  const umask = process.umask(0o177);
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  }).finally(() => process.umask(umask));
}

export class Agent {
  readonly paths: AgentPaths;
  readonly vault: string;
  private readonly holder: AgentVault;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private fileJobs: Promise<unknown> = Promise.resolve();
  /** The inodes of the socket files this agent created (see watchSockets). */
  private socketInodes: number[] = [];
  private stopping: Promise<void> | undefined;
  private resolveStopped!: () => void;
  /** Resolves once the agent has stopped and removed its sockets. */
  readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));

  /**
   * `holder`: the idle lock in seconds for an agent holding its own vault (`keyhold agent`), or
   * the vault another owner lends (the desktop app's workspace). `confirmer`: ask the user before
   * each signature. `watchOs`: lock on OS sleep and screen lock itself (os-events.ts); the
   * desktop app has its own powerMonitor.
   */
  constructor(
    vault: string,
    holder: number | AgentVault,
    private readonly log: (line: string) => void,
    private readonly opts: { confirmer?: SignConfirmer; watchOs?: boolean } = {},
  ) {
    this.vault = realVaultPath(vault);
    this.paths = agentPaths(this.vault);
    this.holder = typeof holder === 'number' ? new VaultHolder(this.vault, holder, log) : holder;
  }

  get info(): AgentInfo {
    return { pid: process.pid, socket: this.paths.cli, ssh_auth_sock: this.paths.ssh };
  }

  private hello(): AgentHello {
    return { agent: AGENT_PROTOCOL, vault: this.vault, ...this.info, locked: this.holder.locked };
  }

  /** Unlocks the vault (given credentials) and starts listening; refused when an agent already serves this vault. */
  async start(credentials?: (vaultId: string) => Promise<Credentials>): Promise<AgentInfo> {
    ensureSocketDir(this.paths.dir);
    const running = await AgentConnection.open(this.paths.cli);
    if (running) {
      running.conn.close();
      throw new KeyholdError(AgentErrors.StartFailed, `An agent (pid ${running.hello.pid}) already serves ${this.vault}.`, 409);
    }
    // Nothing answers there: what is left is a socket file of an agent that died.
    for (const p of this.socketFiles()) rmSync(p, { force: true });
    if (credentials) await this.holder.unlock(credentials);
    const cli = createServer((s) => this.serveCli(s));
    const ssh = createServer((s) => {
      this.track(s);
      new SshAgentConnection(s, this.holder, this.log, this.opts.confirmer);
    });
    this.servers.push(cli, ssh);
    await listen(cli, this.paths.cli);
    await listen(ssh, this.paths.ssh);
    this.watchSockets();
    if (this.opts.watchOs !== false) {
      const osEvents = watchOsLockEvents((e) => void this.holder.lock(e), this.log);
      void this.stopped.then(() => osEvents.stop());
    }
    this.log(`serving ${this.vault} on ${this.paths.cli} and ${this.paths.ssh}`);
    return this.info;
  }

  /**
   * An agent whose socket file was removed or replaced (its runtime directory cleaned at logout,
   * another `agent start` racing this one) can never be reached again: it stops rather than
   * keep the vault's keys in a process nobody can talk to.
   */
  private watchSockets(): void {
    if (!this.socketFiles().length) return;
    this.socketInodes = this.socketFiles().map(inode);
    const timer = setInterval(() => {
      if (this.socketFiles().some((p, i) => inode(p) !== this.socketInodes[i])) {
        this.log('a socket file was removed or replaced: stopping');
        void this.stop();
      }
    }, SOCKET_CHECK_MS);
    timer.unref();
    void this.stopped.then(() => clearInterval(timer));
  }

  private socketPaths(): string[] {
    return [this.paths.cli, this.paths.ssh];
  }

  /** The socket paths that are files (Unix sockets); named pipes are not. */
  private socketFiles(): string[] {
    return this.socketPaths().filter((p) => !isPipe(p));
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const s of this.servers) s.close();
      for (const s of this.sockets) s.destroy();
      await this.holder.lock('stop');
      // Only this agent's own socket files: never one another agent put there since.
      for (const [i, p] of this.socketFiles().entries()) if (inode(p) === this.socketInodes[i]) rmSync(p, { force: true });
      this.log('stopped');
      this.resolveStopped();
    })();
    return this.stopping;
  }

  private serveCli(socket: Socket): void {
    this.track(socket);
    socket.on('error', () => undefined);
    const abort = new AbortController();
    socket.on('close', () => abort.abort());
    let busy = false;
    readLines(socket, (m) => {
      if (m === null) {
        send(socket, wireError(new KeyholdError(LocalErrors.BadArgument, 'Not a message of the agent protocol.', 400)));
        return void socket.end();
      }
      if (m.hello !== undefined) return send(socket, { ...this.hello() });
      if (m.abort !== undefined) return abort.abort();
      if (busy) return send(socket, wireError(new KeyholdError(LocalErrors.BadArgument, 'One request per connection.', 400)));
      busy = true;
      void this.answer(m, socket, abort.signal).then(
        (result) => send(socket, { result }),
        (e: unknown) => send(socket, wireError(e)),
      );
    });
  }

  private async answer(m: Message, socket: Socket, signal: AbortSignal): Promise<unknown> {
    if (typeof m.control === 'string') return this.control(m.control, m, socket);
    const call = m.call as { service?: unknown; operation?: unknown; input?: unknown; remote?: unknown; cwd?: unknown; progress?: unknown } | undefined;
    if (!call || typeof call.service !== 'string' || typeof call.operation !== 'string')
      throw new KeyholdError(LocalErrors.BadArgument, 'Not a message of the agent protocol.', 400);
    const op = findOperation(call.service, call.operation);
    if (!op)
      throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown operation: ${call.service} ${call.operation}. Run \`keyhold ops\` for the list.`, 400);
    const input = (call.input ?? {}) as Record<string, unknown>;
    const remote = typeof call.remote === 'string' ? call.remote : undefined;
    const hooks: CallHooks = { signal, ...(call.progress === true ? { onProgress: (p) => send(socket, { progress: p }) } : {}) };
    const run = () =>
      this.holder.use(async (session) => {
        const result = remote
          ? await session.callRemote(remote, op.decl.service, op.decl.name, input, 'agent')
          : await session.run(op, input, 'agent', null, hooks);
        // As in the CLI's own process, the call ends once its background work (bindings) has.
        await session.settle();
        return result;
      });
    const touchesFiles = op.decl.localFiles || op.decl.localFileFields?.some((f) => input[f] !== undefined);
    if (!touchesFiles) return run();
    if (typeof call.cwd !== 'string')
      throw new KeyholdError(LocalErrors.BadArgument, "A file job through the agent needs the caller's working directory.", 400);
    const cwd = call.cwd;
    const job = this.fileJobs.then(() => {
      try {
        process.chdir(cwd);
      } catch {
        throw new KeyholdError(LocalErrors.BadArgument, `The agent cannot enter your working directory ${cwd}.`, 400);
      }
      return run();
    });
    this.fileJobs = job.catch(() => undefined);
    return job;
  }

  private async control(what: string, m: Message, socket: Socket): Promise<unknown> {
    switch (what) {
      case 'status':
        return { running: true, ...this.info, vault: this.vault, locked: this.holder.locked, idle_lock_seconds: this.holder.idleLockSeconds };
      case 'lock':
        await this.holder.lock('request');
        return { locked: true };
      case 'unlock':
        await this.holder.unlock(agentCredentials(typeof m.password === 'string' ? m.password : undefined));
        return { locked: false };
      case 'stop':
        // Answer first: the caller waits for the reply, then for the socket to disappear.
        socket.once('close', () => void this.stop());
        setImmediate(() => socket.end());
        return { stopped: true, pid: process.pid };
      case 'remember':
        await this.holder.use((s) => s.rememberDevice(new OsKeychain()));
        return { remembered: true };
      case 'forget':
        await this.holder.use((s) => s.forgetDevice(new OsKeychain()));
        return { remembered: false };
      default:
        throw new KeyholdError(LocalErrors.BadArgument, `Unknown agent request ${what}.`, 400);
    }
  }
}
