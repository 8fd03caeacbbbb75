/**
 * The few things binding does on a server, over one SSH connection: SFTP reads, an atomic write
 * (temp file in the same directory, fsync, posix-rename over the target), and a command run for
 * the sshd steps. Errors become TaskFailures naming the path; `step` lets tests cut the
 * connection at a chosen point to prove a drop leaves the target untouched.
 */
import { posix } from 'node:path';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { randomHex } from '../../crypto/random.js';
import { TaskFailure, TaskFailures } from './errors.js';

export type Step = 'temp-written' | 'renamed';
export interface Hooks {
  /** Called at named points of a write; tests cut the connection here. */
  step?(name: Step, path: string): Promise<void> | void;
}

const TEMP_MARK = '.keyhold-tmp-';
/** SFTP status codes (draft-ietf-secsh-filexfer-02): no such file, permission denied. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

type SftpError = Error & { code?: number | string };

export class Remote {
  /** Calls waiting for an answer: ssh2 leaves them pending forever when the socket dies. */
  private readonly pending = new Set<(e: Error) => void>();
  private lostWith: Error | undefined;

  private constructor(
    readonly client: Client,
    private readonly sftp: SFTPWrapper,
    private readonly hooks: Hooks,
  ) {
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
  }

  static async open(client: Client, hooks: Hooks = {}): Promise<Remote> {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((e, s) => (e ? reject(lost(e)) : resolve(s))));
    return new Remote(client, sftp, hooks);
  }

  close(): void {
    this.client.end();
  }

  private call<T>(what: string, path: string, fn: (cb: (e: SftpError | undefined | null, v: T) => void) => void): Promise<T> {
    return this.guard((resolve, reject) => fn((e, v) => (e ? reject(fileError(e, what, path)) : resolve(v))));
  }

  /** A promise that also settles (as ConnectionLost) when the connection dies first. */
  private guard<T>(body: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lostWith) return reject(lost(this.lostWith));
      const fail = (e: Error): void => reject(lost(e));
      this.pending.add(fail);
      const done = <A extends unknown[]>(f: (...a: A) => void) => (...a: A): void => {
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

  home(): Promise<string> {
    return this.call('resolve home of', '.', (cb) => this.sftp.realpath('.', cb));
  }

  /** lstat, or undefined when the path does not exist. */
  stat(path: string): Promise<Stats | undefined> {
    return this.call<Stats | undefined>('stat', path, (cb) => this.sftp.lstat(path, (e, st) => (e && (e as SftpError).code === NO_SUCH_FILE ? cb(undefined, undefined) : cb(e, st))));
  }

  read(path: string): Promise<Buffer> {
    return this.call<Buffer>('read', path, (cb) => this.sftp.readFile(path, (e, b) => cb(e, b)));
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

  mkdir(path: string, mode: number): Promise<void> {
    return this.call('create directory', path, (cb) => this.sftp.mkdir(path, { mode }, (e) => cb(e, undefined)));
  }

  unlink(path: string): Promise<void> {
    return this.call('remove', path, (cb) => this.sftp.unlink(path, (e) => cb(e, undefined)));
  }

  rmdir(path: string): Promise<void> {
    return this.call('remove directory', path, (cb) => this.sftp.rmdir(path, (e) => cb(e, undefined)));
  }

  /** Removes temp files an interrupted earlier write (of `path` or its backup) left beside it. */
  async removeStaleTemps(path: string): Promise<void> {
    const dir = posix.dirname(path);
    const prefix = `.${posix.basename(path)}`;
    const list = await this.call<{ filename: string }[]>('list', dir, (cb) => this.sftp.readdir(dir, cb));
    for (const f of list) if (f.filename.startsWith(prefix) && f.filename.includes(TEMP_MARK)) await this.unlink(posix.join(dir, f.filename));
  }

  /**
   * Replaces `path` with `data` atomically: a reader (sshd) sees the old file or the new one,
   * never a partial one. The temp file is created with `mode` so the content is never exposed.
   */
  async writeAtomic(path: string, data: Buffer, mode: number): Promise<void> {
    const temp = posix.join(posix.dirname(path), `.${posix.basename(path)}${TEMP_MARK}${randomHex(6)}`);
    const handle = await this.call<Buffer>('create', temp, (cb) => this.sftp.open(temp, 'wx', { mode }, cb));
    try {
      await this.call('write', temp, (cb) => this.sftp.write(handle, data, 0, data.length, 0, (e) => cb(e, undefined)));
      await this.call('fsync', temp, (cb) => this.sftp.ext_openssh_fsync(handle, (e) => cb(e, undefined)));
    } catch (e) {
      throw await this.maybeDiskFull(e, temp);
    } finally {
      await this.call('close', temp, (cb) => this.sftp.close(handle, (e) => cb(e, undefined))).catch(() => undefined);
    }
    // The umask may have narrowed the mode given at creation.
    await this.call('chmod', temp, (cb) => this.sftp.chmod(temp, mode, (e) => cb(e, undefined)));
    await this.hooks.step?.('temp-written', path);
    await this.call('rename over', path, (cb) => this.sftp.ext_openssh_rename(temp, path, (e) => cb(e, undefined)));
    await this.hooks.step?.('renamed', path);
  }

  /** A write failure on a full file system says only "Failure" over SFTP: ask statvfs. */
  private async maybeDiskFull(e: unknown, path: string): Promise<unknown> {
    const fs = await this.call<{ bavail: number }>('statvfs', path, (cb) => this.sftp.ext_openssh_statvfs(posix.dirname(path), cb)).catch(() => undefined);
    return fs && fs.bavail === 0 ? new TaskFailure(TaskFailures.DiskFull, `writing ${path}`) : e;
  }

  /** Runs a command (no shell quoting is needed: callers pass fixed words and checked paths). */
  exec(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.guard((resolve, reject) => {
      this.client.exec(command, (e, stream) => {
        if (e) return reject(lost(e));
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.on('close', (code: number | null) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    });
  }
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
