/**
 * Where `keyhold agent` keeps its sockets, and the checks that keep them the user's own.
 *
 * One directory per user, mode 0700: `$XDG_RUNTIME_DIR/keyhold` (the runtime directory is the
 * user's own by the XDG spec), else `<tmpdir>/keyhold-<uid>`. In it, per vault, `<id>.cli.sock`
 * (Keyhold's calls), `<id>.ssh.sock` (the SSH agent protocol) and `<id>.log`, where `<id>` is a
 * hash of the vault's real path, so every spelling of one vault finds the same agent.
 *
 * Node cannot read a Unix socket peer's uid (SO_PEERCRED), so who may connect is decided by the
 * file system: a socket can only be connected to by someone who may search its directory and
 * write to it. The agent refuses to start in a directory that is not its user's own with mode
 * 0700, and the client refuses a socket, or its directory, owned by anyone else or open to others.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve, win32 } from 'node:path';
import { KeyholdError } from '../../shared/errors.js';
import { AgentErrors } from '../../shared/operations/ssh-agent.js';
// For the CLI's fast path, which finds the default vault's agent before loading the core.
export { defaultVaultPath } from '../core/vault/location.js';

export interface AgentPaths {
  dir: string;
  cli: string;
  ssh: string;
  log: string;
}

function uid(): number {
  return process.getuid?.() ?? -1;
}

export function socketDir(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'keyhold') : join(tmpdir(), `keyhold-${uid()}`);
}

/** The vault's real path (symlinks resolved), or the resolved path when it does not exist yet. */
export function realVaultPath(vault: string): string {
  try {
    return realpathSync(vault);
  } catch {
    return resolve(vault);
  }
}

/** `\\.\pipe\`, the namespace of local named pipes. */
const PIPE_PREFIX = '\\\\.\\pipe\\';

/**
 * Windows has no Unix sockets in this role: the agent listens on named pipes (OpenSSH for
 * Windows reads `SSH_AUTH_SOCK` or `IdentityAgent` as a pipe path), one per user and vault, and
 * keeps its log under %LOCALAPPDATA%. Not the service's own `\\.\pipe\openssh-ssh-agent`: that
 * name belongs to Windows' OpenSSH Authentication Agent. Only the desktop app serves them there
 * (docs/agent.md: what is and is not tested).
 */
export function agentPaths(vault: string, platform: NodeJS.Platform = process.platform): AgentPaths {
  const id = createHash('sha256').update(realVaultPath(vault)).digest('hex').slice(0, 16);
  if (platform === 'win32') {
    const user = userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
    const dir = win32.join(process.env.LOCALAPPDATA ?? win32.join(homedir(), 'AppData', 'Local'), 'Keyhold', 'agent');
    return { dir, cli: `${PIPE_PREFIX}keyhold-${user}-${id}-cli`, ssh: `${PIPE_PREFIX}keyhold-${user}-${id}-ssh`, log: win32.join(dir, `${id}.log`) };
  }
  const dir = socketDir();
  return { dir, cli: join(dir, `${id}.cli.sock`), ssh: join(dir, `${id}.ssh.sock`), log: join(dir, `${id}.log`) };
}

/** Named pipes (Windows) are not files: nothing to remove or watch. */
export function isPipe(path: string): boolean {
  return path.startsWith(PIPE_PREFIX);
}

function unsafe(message: string): KeyholdError {
  return new KeyholdError(AgentErrors.UnsafeSocket, message, 403);
}

/** Refuses a directory that is not the user's own with no access for group or others. */
export function checkPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw unsafe(`The agent's socket directory ${dir} is not a directory.`);
  if (uid() >= 0 && st.uid !== uid()) throw unsafe(`The agent's socket directory ${dir} belongs to uid ${st.uid}, not to you (uid ${uid()}): refused.`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
    throw unsafe(
      `The agent's socket directory ${dir} has mode ${(st.mode & 0o777).toString(8)}; others could reach the sockets in it (it must be 700): refused.`,
    );
}

/** The socket directory, created 0700 if missing; refused when it exists and is not private. */
export function ensureSocketDir(dir = socketDir()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivateDir(dir);
  return dir;
}

/**
 * Before connecting: the socket must be a socket of this user's, in a private directory of this
 * user's. Returns false when there is nothing at the path (no agent).
 */
export function checkSocketBeforeConnect(socket: string): boolean {
  // A pipe has no file to check; connecting tells whether one listens (see agentPaths).
  if (isPipe(socket)) return true;
  let st;
  try {
    st = lstatSync(socket);
  } catch {
    return false;
  }
  if (!st.isSocket()) throw unsafe(`${socket} is not a socket: refused.`);
  if (uid() >= 0 && st.uid !== uid())
    throw unsafe(`The socket ${socket} belongs to uid ${st.uid}, not to you (uid ${uid()}): refused, it could be another user's listener.`);
  checkPrivateDir(dirname(socket));
  return true;
}
