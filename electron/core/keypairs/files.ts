/**
 * Key files on disk: bounded reads, and writes that never leave a private key readable by
 * others, not even for a moment (a temp file created 0600, then put in place), and never
 * replace an existing file unless asked to (`force`).
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomHex } from '../crypto/random.js';
import { KpsErrors, kpsError } from './errors.js';
import { MAX_KEY_FILE_BYTES } from './formats/index.js';

export function readKeyFile(path: string): Buffer {
  try {
    const size = statSync(path).size;
    if (size > MAX_KEY_FILE_BYTES) throw kpsError(KpsErrors.UnknownFormat, `${path} is ${size} bytes; key files are at most ${MAX_KEY_FILE_BYTES}.`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof Error && e.name === 'KeyholdError') throw e;
    throw kpsError(KpsErrors.FileAccess, `Cannot read ${path}.`);
  }
}

/** The target exists and may not be replaced. */
class OutputExists extends Error {}

/** Creates `path` (failing if it exists) with `text`; a half-written file is removed again. */
function writeNew(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(path);
    throw e;
  }
  closeSync(fd);
}

/**
 * Puts the finished temp file at `path`: renamed over it with `force`, else hard-linked, which
 * fails when `path` exists (no window between a check and the write). Where hard links are not
 * supported, an exclusive create of `path` does the same.
 */
function publish(tmp: string, path: string, text: string, mode: number, force: boolean): void {
  if (force) return renameSync(tmp, path);
  try {
    linkSync(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new OutputExists();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
    try {
      writeNew(path, text, mode);
    } catch (e2) {
      throw (e2 as NodeJS.ErrnoException).code === 'EEXIST' ? new OutputExists() : e2;
    }
  }
  unlinkSync(tmp);
}

/**
 * Writes `text` to `path`: mode 0600 for private keys, 0644 for public ones. An existing file
 * is refused (KPS.1009) unless `force`; nothing is left behind on any failure.
 */
export function writeKeyFile(path: string, text: string, isPrivate: boolean, force = false): void {
  const tmp = `${path}.${randomHex(6)}.tmp`;
  const mode = isPrivate ? 0o600 : 0o644;
  let fd: number | undefined;
  let failure: unknown;
  try {
    fd = openSync(tmp, 'wx', mode);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    publish(tmp, path, text, mode, force);
    return;
  } catch (e) {
    failure = e;
  }
  if (fd !== undefined) closeSync(fd);
  try {
    unlinkSync(tmp);
  } catch {
    // nothing was created, or it was already put in place
  }
  if (failure instanceof OutputExists) {
    throw kpsError(KpsErrors.OutputExists, `${path} exists; give --force to replace it.`);
  }
  throw kpsError(KpsErrors.FileAccess, `Cannot write ${path}.`);
}
