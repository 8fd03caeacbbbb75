/**
 * File plumbing for the streaming pipeline: opening the input with a typed error, full reads
 * at explicit positions, vectored writes, and an output that appears at its path only when the
 * whole job succeeded (a temp file beside it, renamed on success, removed on any failure).
 */
import { constants } from 'node:fs';
import { copyFile, link, lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { FileErrors } from '../../../shared/operations/file.js';
import { randomHex } from '../crypto/random.js';

function accessError(what: string, path: string, e: unknown): KeyholdError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new KeyholdError(FileErrors.FileAccess, `Cannot ${what} ${path} (${code}).`, 400);
}

export async function openInput(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw accessError('read', path, e);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new KeyholdError(FileErrors.FileAccess, `Cannot read ${path}: not a regular file.`, 400);
  }
  return { fh, size: st.size };
}

/** Reads until `buf` is full or the file ends; returns the bytes read (short only at the end). */
export async function readFull(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    const { bytesRead } = await fh.read(buf, n, buf.length - n, position + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}

/** Writes all of `data` at `position`, resuming after a partial write. */
export async function writeAll(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let at = 0; at < data.length;) {
    const { bytesWritten } = await fh.write(data, at, data.length - at, position + at);
    at += bytesWritten;
  }
}

export function refuseSamePath(input: string, output: string): void {
  if (resolve(input) === resolve(output)) {
    throw new KeyholdError(LocalErrors.BadArgument, 'Invalid parameter out: it must differ from in (the input would be destroyed).', 400);
  }
}

/** The temp file of `path` for process `pid`: `.NAME.keyhold-PID-RANDOM.tmp` beside it. */
function tempName(path: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.keyhold-${pid}-${randomHex(6)}.tmp`);
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it exists under another user. Only "no such process" means its file is abandoned.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the temp files a killed process (SIGKILL, power loss) left beside `path`: those whose
 * pid in the name is no longer running. A live process's file, and names without a pid, are left.
 */
export async function removeDeadTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.keyhold-`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return; // the directory's own error, if any, comes from creating the output
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    const pid = m ? Number(m[1]) : NaN;
    if (pid > 0 && pid !== process.pid && processIsGone(pid)) await rm(join(dirname(path), name), { force: true }).catch(() => undefined);
  }
}

function outputExists(path: string): KeyholdError {
  return new KeyholdError(FileErrors.OutputExists, `${path} exists; give --force to replace it.`, 400);
}

/** Refuses an existing output before any work is done (the final put-in-place checks again). */
export async function refuseExistingOutput(path: string): Promise<void> {
  const found = await lstat(path).then(
    () => true,
    () => false,
  );
  if (found) throw outputExists(path);
}

/** File systems without hard links answer link(2) with these; an exclusive copy does the same job there. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

/**
 * Puts the temp file at `path`: renamed over it when `replace`, else hard-linked, which fails
 * when `path` exists (no window between a check and the write), or copied exclusively where
 * hard links are not supported.
 */
async function publish(tmp: string, path: string, replace: boolean): Promise<void> {
  try {
    if (replace) return await rename(tmp, path);
    await link(tmp, path).catch((e: unknown) => {
      if (!NO_HARD_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      return copyFile(tmp, path, constants.COPYFILE_EXCL);
    });
  } catch (e) {
    if (!replace && (e as NodeJS.ErrnoException).code === 'EEXIST') throw outputExists(path);
    throw accessError('write', path, e);
  }
  await rm(tmp, { force: true });
}

/**
 * Runs `fill` on a new temp file beside `path` (mode 0600: it may hold plaintext) and renames it
 * to `path` once `fill` resolves. If `fill` throws, the temp file is removed and `path` is left
 * as it was, so no partial or unverified output is ever seen there. The temp file's name carries
 * the pid, so the next job to `path` removes what a killed process left (removeDeadTemps). With
 * `replace: false` an existing `path` is refused (FILE.0303) instead, also one created while
 * `fill` ran.
 */
export async function atomicOutput<T>(path: string, fill: (fh: FileHandle) => Promise<T>, opts: { replace?: boolean } = {}): Promise<T> {
  await removeDeadTemps(path);
  const tmp = tempName(path, process.pid);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx', 0o600);
  } catch (e) {
    throw accessError('write beside', path, e);
  }
  try {
    const result = await fill(fh);
    await fh.close();
    await publish(tmp, path, opts.replace ?? true);
    return result;
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}
