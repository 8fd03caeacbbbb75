/**
 * The few things binding does on a server, over one SSH connection: reads, an atomic write
 * (temp file in the same directory, flushed, renamed over the target), and a command run for
 * the sshd steps. Files go over SFTP when the server offers it, else over the exec channel as
 * POSIX `sh` commands with the same guarantees (posix-sh.ts). Every step has a timeout: a step
 * with no answer ends the connection and fails the task, so no task waits forever. Errors
 * become TaskFailures naming the path; `step` lets tests cut the connection at a chosen point.
 */
import { posix } from 'node:path';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { randomHex } from '../../crypto/random.js';
import { TaskFailure, TaskFailures } from './errors.js';
import {
  HOME_COMMAND,
  lstatCommand,
  parseLsLine,
  realpathCommand,
  removeStaleTempsCommand,
  shQuote,
  SH_PRELUDE,
  writeTempCommand,
  type FileStat,
} from './posix-sh.js';

export type { FileStat } from './posix-sh.js';
export type Step = 'temp-written' | 'renamed';
export interface Hooks {
  /** Called at named points of a write; tests cut the connection here. */
  step?(name: Step, path: string): Promise<void> | void;
  /** Longest wait for one step's answer (default STEP_TIMEOUT_MS); tests shorten it. */
  stepTimeoutMs?: number;
  /**
   * Cancels the task (Ctrl-C): the connection is closed, the step under way fails, and the
   * engine rolls back what it changed through a new login, as after a dropped connection.
   */
  signal?: AbortSignal;
}

/** No single SSH step (one SFTP request, one command) may take longer. */
export const STEP_TIMEOUT_MS = 30_000;
/** How long the sftp subsystem may take to start before the exec channel is used instead. */
const SFTP_START_MS = 10_000;
const TEMP_MARK = '.keyhold-tmp-';
/** SFTP status codes (draft-ietf-secsh-filexfer-02): no such file, permission denied. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
/** Bytes of output a command may return (authorized_keys and sshd_config are far smaller). */
const MAX_OUTPUT = 4 * 1024 * 1024;

type SftpError = Error & { code?: number | string };
interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export class Remote {
  /** Calls waiting for an answer: ssh2 leaves them pending forever when the socket dies. */
  private readonly pending = new Set<(e: Error) => void>();
  private lostWith: Error | undefined;
  private readonly stepMs: number;

  private constructor(
    readonly client: Client,
    private readonly sftp: SFTPWrapper | undefined,
    private readonly hooks: Hooks,
  ) {
    this.stepMs = hooks.stepTimeoutMs ?? STEP_TIMEOUT_MS;
    const onLost = (): void => {
      this.lostWith ??= new Error('connection closed');
      for (const fail of this.pending) fail(this.lostWith);
      this.pending.clear();
    };
    client.on('close', onLost);
    client.on('end', onLost);
    client.on('error', (e: Error) => {
      this.lostWith ??= e;
      onLost();
    });
    // destroy, not end: the step under way must fail now, not when a busy server closes.
    if (hooks.signal?.aborted) client.destroy();
    else hooks.signal?.addEventListener('abort', () => client.destroy(), { once: true });
  }

  /**
   * Opens the file channel: SFTP when the server starts its subsystem in time, else the exec
   * channel, once a command is seen to run there. With neither, a clear failure at once.
   */
  static async open(client: Client, hooks: Hooks = {}): Promise<Remote> {
    const sftp = await startSftp(client, Math.min(SFTP_START_MS, hooks.stepTimeoutMs ?? SFTP_START_MS));
    const r = new Remote(client, sftp, hooks);
    if (sftp) return r;
    let probe: Run | undefined;
    try {
      probe = await r.run(`${SH_PRELUDE} echo keyhold-exec-ok`);
    } catch (e) {
      // A dead connection is that; a refused exec channel on a live one is the answer below.
      if (r.lostWith) throw e;
    }
    if (!probe || probe.code !== 0 || !probe.stdout.toString('utf8').includes('keyhold-exec-ok')) {
      client.end();
      throw new TaskFailure(
        TaskFailures.RemoteFileError,
        'the server offers neither an sftp subsystem nor a shell to run commands in, so Keyhold cannot edit authorized_keys there (enable `Subsystem sftp` in sshd_config, or allow commands for this user)',
      );
    }
    return r;
  }

  close(): void {
    this.client.end();
  }

  private call<T>(what: string, path: string, fn: (cb: (e: SftpError | undefined | null, v: T) => void) => void): Promise<T> {
    return this.guard(`${what} ${path}`, (resolve, reject) => fn((e, v) => (e ? reject(fileError(e, what, path)) : resolve(v))));
  }

  /**
   * A promise that also settles (as ConnectionLost) when the connection dies first, or when no
   * answer came within the step timeout: then the connection is ended, since its state is
   * unknown, and a rollback goes through a new login.
   */
  private guard<T>(what: string, body: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lostWith) return reject(lost(this.lostWith));
      const fail = (e: Error): void => reject(lost(e));
      this.pending.add(fail);
      const timer = setTimeout(() => {
        this.pending.delete(fail);
        const e = new Error(`no answer to "${what.slice(0, 120)}" within ${this.stepMs / 1000} s; the connection was closed`);
        // Every later step on this connection fails at once; a rollback logs in afresh.
        this.lostWith ??= e;
        reject(lost(e));
        this.client.destroy();
      }, this.stepMs);
      timer.unref?.();
      const done =
        <A extends unknown[]>(f: (...a: A) => void) =>
        (...a: A): void => {
          clearTimeout(timer);
          this.pending.delete(fail);
          f(...a);
        };
      try {
        body(done(resolve), done(reject));
      } catch (e) {
        done(reject)(lost(e as Error));
      }
    });
  }

  /** Runs a command, `input` on its stdin; its output as bytes. */
  private run(command: string, input?: Buffer): Promise<Run> {
    return this.guard<Run>(command.replace(SH_PRELUDE, '').trim(), (resolve, reject) => {
      this.client.exec(command, (e, stream) => {
        if (e) return reject(lost(e));
        const out: Buffer[] = [];
        let size = 0;
        let stderr = '';
        stream.on('data', (d: Buffer) => {
          size += d.length;
          if (size <= MAX_OUTPUT) out.push(d);
        });
        stream.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
        stream.on('close', (code: number | null) => {
          if (size > MAX_OUTPUT) return reject(new TaskFailure(TaskFailures.RemoteFileError, `a command printed more than ${MAX_OUTPUT} bytes`));
          resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr });
        });
        stream.end(input ?? Buffer.alloc(0));
      });
    });
  }

  /** Runs a file command; a non-zero exit becomes the TaskFailure its error text names. */
  private async sh(what: string, path: string, command: string, input?: Buffer): Promise<Buffer> {
    const r = await this.run(command, input);
    if (r.code !== 0) throw shError(r.stderr, what, path);
    return r.stdout;
  }

  async home(): Promise<string> {
    if (this.sftp) return this.call('resolve home of', '.', (cb) => this.sftp?.realpath('.', cb));
    return (await this.sh('resolve home of', '.', HOME_COMMAND)).toString('utf8').trim();
  }

  /** The path with every symbolic link followed, as sshd's StrictModes check sees it. */
  async realpath(path: string): Promise<string> {
    if (this.sftp) return this.call('resolve', path, (cb) => this.sftp?.realpath(path, cb));
    const out = (await this.sh('resolve', path, realpathCommand(path))).toString('utf8').trim();
    if (!out.startsWith('/')) throw new TaskFailure(TaskFailures.RemoteFileError, `cannot resolve ${path}`);
    return out;
  }

  /** lstat, or undefined when the path does not exist. */
  async stat(path: string): Promise<FileStat | undefined> {
    if (this.sftp) {
      const st = await this.call<Stats | undefined>('stat', path, (cb) =>
        this.sftp?.lstat(path, (e, s) => (e && (e as SftpError).code === NO_SUCH_FILE ? cb(undefined, undefined) : cb(e, s))),
      );
      return st && fromSftp(st);
    }
    const out = (await this.sh('stat', path, lstatCommand(path))).toString('utf8');
    if (out.trim() === 'MISSING') return undefined;
    const st = parseLsLine(out);
    if (!st) throw new TaskFailure(TaskFailures.RemoteFileError, `cannot read the mode of ${path} from ls`);
    return st;
  }

  async read(path: string): Promise<Buffer> {
    if (this.sftp) return this.call<Buffer>('read', path, (cb) => this.sftp?.readFile(path, (e, b) => cb(e, b)));
    return this.sh('read', path, `${SH_PRELUDE} cat -- ${shQuote(path)}`);
  }

  /** The file, or undefined when it does not exist or cannot be read; a lost connection still throws. */
  async readIfReadable(path: string): Promise<Buffer | undefined> {
    try {
      return await this.read(path);
    } catch (e) {
      if (e instanceof TaskFailure && e.code === TaskFailures.ConnectionLost) throw e;
      return undefined;
    }
  }

  async mkdir(path: string, mode: number): Promise<void> {
    if (this.sftp) return this.call('create directory', path, (cb) => this.sftp?.mkdir(path, { mode }, (e) => cb(e, undefined)));
    await this.sh('create directory', path, `${SH_PRELUDE} mkdir -m ${(mode & 0o7777).toString(8)} -- ${shQuote(path)}`);
  }

  async unlink(path: string): Promise<void> {
    if (this.sftp) return this.call('remove', path, (cb) => this.sftp?.unlink(path, (e) => cb(e, undefined)));
    await this.sh('remove', path, `${SH_PRELUDE} rm -- ${shQuote(path)}`);
  }

  async rmdir(path: string): Promise<void> {
    if (this.sftp) return this.call('remove directory', path, (cb) => this.sftp?.rmdir(path, (e) => cb(e, undefined)));
    await this.sh('remove directory', path, `${SH_PRELUDE} rmdir -- ${shQuote(path)}`);
  }

  /** Removes temp files an interrupted earlier write (of `path` or its backup) left beside it. */
  async removeStaleTemps(path: string): Promise<void> {
    const dir = posix.dirname(path);
    const base = posix.basename(path);
    if (!this.sftp) {
      await this.sh('clean temp files in', dir, removeStaleTempsCommand(dir, base, TEMP_MARK));
      return;
    }
    const list = await this.call<{ filename: string }[]>('list', dir, (cb) => this.sftp?.readdir(dir, cb));
    for (const f of list) if (f.filename.startsWith(`.${base}`) && f.filename.includes(TEMP_MARK)) await this.unlink(posix.join(dir, f.filename));
  }

  /**
   * Replaces `path` with `data` atomically: a reader (sshd) sees the old file or the new one,
   * never a partial one. The temp file is created with `mode` so the content is never exposed,
   * and given `owner` (the target's owner) so the file keeps it. `path` must not be a symbolic
   * link: callers write to the link's target, so the link itself survives.
   */
  async writeAtomic(path: string, data: Buffer, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
    const temp = posix.join(posix.dirname(path), `.${posix.basename(path)}${TEMP_MARK}${randomHex(6)}`);
    try {
      if (this.sftp) await this.writeTempSftp(this.sftp, temp, data, mode, owner);
      else await this.writeTempSh(temp, data, mode, owner);
    } catch (e) {
      if (!(e instanceof TaskFailure && e.code === TaskFailures.ConnectionLost)) await this.unlink(temp).catch(() => undefined);
      throw e;
    }
    await this.hooks.step?.('temp-written', path);
    if (this.sftp) await this.call('rename over', path, (cb) => this.sftp?.ext_openssh_rename(temp, path, (e) => cb(e, undefined)));
    else await this.sh('rename over', path, `${SH_PRELUDE} mv -f -- ${shQuote(temp)} ${shQuote(path)}`);
    await this.hooks.step?.('renamed', path);
  }

  private async writeTempSftp(sftp: SFTPWrapper, temp: string, data: Buffer, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
    const handle = await this.call<Buffer>('create', temp, (cb) => sftp.open(temp, 'wx', { mode }, cb));
    try {
      await this.call('write', temp, (cb) => sftp.write(handle, data, 0, data.length, 0, (e) => cb(e, undefined)));
      await this.call('fsync', temp, (cb) => sftp.ext_openssh_fsync(handle, (e) => cb(e, undefined)));
    } catch (e) {
      throw await this.maybeDiskFull(e, temp);
    } finally {
      await this.call('close', temp, (cb) => sftp.close(handle, (e) => cb(e, undefined))).catch(() => undefined);
    }
    // The umask may have narrowed the mode given at creation.
    await this.call('chmod', temp, (cb) => sftp.chmod(temp, mode, (e) => cb(e, undefined)));
    if (owner) {
      const st = await this.stat(temp);
      if (st && (st.uid !== owner.uid || st.gid !== owner.gid))
        await this.call('keep the owner of', temp, (cb) => sftp.chown(temp, owner.uid, owner.gid, (e) => cb(e, undefined)));
    }
  }

  /** The exec-channel write: create from stdin, then read back and compare before it is renamed. */
  private async writeTempSh(temp: string, data: Buffer, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
    await this.sh('create', temp, writeTempCommand(temp, mode, owner), data);
    const back = await this.read(temp);
    if (!back.equals(data))
      throw new TaskFailure(TaskFailures.RemoteFileError, `${temp} read back differs from what was written (${back.length} of ${data.length} bytes)`);
  }

  /** A write failure on a full file system says only "Failure" over SFTP: ask statvfs. */
  private async maybeDiskFull(e: unknown, path: string): Promise<unknown> {
    const fs = await this.call<{ bavail: number }>('statvfs', path, (cb) => this.sftp?.ext_openssh_statvfs(posix.dirname(path), cb)).catch(() => undefined);
    return fs && fs.bavail === 0 ? new TaskFailure(TaskFailures.DiskFull, `writing ${path}`) : e;
  }

  /** Runs a command (no shell quoting is needed: callers pass fixed words and checked paths). */
  async exec(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const r = await this.run(command);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  }
}

/** The sftp channel, or undefined when the server refuses the subsystem or does not answer in time. */
function startSftp(client: Client, ms: number): Promise<SFTPWrapper | undefined> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      resolve(undefined);
    }, ms);
    timer.unref?.();
    client.sftp((e, s) => {
      clearTimeout(timer);
      if (settled) {
        s?.end();
        return;
      }
      settled = true;
      if (!e) return resolve(s);
      // A refused subsystem is an answer; a dead connection is not.
      if (/subsystem|channel open failure|administratively prohibited/i.test(e.message)) return resolve(undefined);
      reject(lost(e));
    });
  });
}

function fromSftp(st: Stats): FileStat {
  const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  return { kind, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

function lost(e: Error): TaskFailure {
  return new TaskFailure(TaskFailures.ConnectionLost, e.message.replace(/\s+/g, ' ').slice(0, 200));
}

function fileError(e: SftpError, what: string, path: string): TaskFailure {
  if (e.code === NO_SUCH_FILE) return new TaskFailure(TaskFailures.RemoteFileError, `cannot ${what} ${path} (no such file)`);
  if (e.code === PERMISSION_DENIED) return new TaskFailure(TaskFailures.WrongPermissions, `permission denied to ${what} ${path}`);
  if (typeof e.code === 'number') return new TaskFailure(TaskFailures.RemoteFileError, `cannot ${what} ${path} (${e.message})`);
  return lost(e);
}

/** A failed sh file command, by its (LC_ALL=C) error text. */
function shError(stderr: string, what: string, path: string): TaskFailure {
  const first = (stderr.trim().split('\n')[0] ?? '').slice(0, 200);
  if (/No space left on device|Disc quota exceeded|Disk quota exceeded/i.test(stderr)) return new TaskFailure(TaskFailures.DiskFull, `writing ${path}`);
  if (/Permission denied|Operation not permitted|Read-only file system/i.test(stderr))
    return new TaskFailure(TaskFailures.WrongPermissions, `permission denied to ${what} ${path}`);
  if (/No such file/i.test(stderr)) return new TaskFailure(TaskFailures.RemoteFileError, `cannot ${what} ${path} (no such file)`);
  return new TaskFailure(TaskFailures.RemoteFileError, `cannot ${what} ${path}${first ? ` (${first})` : ''}`);
}
