/**
 * Key files on disk: bounded reads, and writes that never leave a private key readable by
 * others, not even for a moment (a temp file created 0600, then renamed over the target).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
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

/** Writes `text` to `path`: mode 0600 for private keys, 0644 for public ones. */
export function writeKeyFile(path: string, text: string, isPrivate: boolean): void {
  const tmp = `${path}.${randomHex(6)}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', isPrivate ? 0o600 : 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created
    }
    throw kpsError(KpsErrors.FileAccess, `Cannot write ${path}.`);
  }
}
