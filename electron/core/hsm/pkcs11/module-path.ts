/**
 * The check a PKCS#11 module passes before it is loaded. Loading a shared library runs its code
 * inside Keyhold with the vault unlocked, so the path must name one file that only its owner
 * (root or this user) can change: an absolute path, resolved through symlinks to a regular
 * file, neither it nor any directory above it (of the path as given and as resolved) writable by
 * group or others — except sticky directories owned by root, such as /tmp, where others cannot
 * replace what is not theirs. Checked at every load, not only when the key store is created.
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { KeyholdError, LocalErrors } from '../../../../shared/errors.js';

const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

function refuse(path: string, why: string): KeyholdError {
  return new KeyholdError(LocalErrors.KeyStoreModuleRefused, `Invalid pkcs11_module ${path}: ${why}; it is not loaded.`, 400);
}

function ownedSafely(st: Stats): boolean {
  const uid = process.getuid?.() ?? 0;
  return st.uid === 0 || st.uid === uid;
}

/** Every directory from `dir` up to the root must be one only its owner (root or us) can change. */
function checkDirectories(module: string, dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const st = statSync(d);
    if (!ownedSafely(st)) throw refuse(module, `the directory ${d} belongs to another user`);
    const sharedWritable = (st.mode & GROUP_OR_OTHER_WRITE) !== 0;
    if (sharedWritable && !(st.mode & STICKY && st.uid === 0)) throw refuse(module, `the directory ${d} is writable by group or others`);
    if (d === dirname(d)) return;
  }
}

/** Returns the resolved path of a module that passes the check; otherwise a typed refusal. */
export function checkModulePath(module: string): string {
  if (!isAbsolute(module)) throw refuse(module, 'it must be an absolute path');
  let real: string;
  try {
    lstatSync(module);
    real = realpathSync(module);
  } catch {
    throw new KeyholdError(LocalErrors.KeyStoreModuleMissing, `The PKCS#11 module ${module} does not exist.`, 503);
  }
  const st = statSync(real);
  if (!st.isFile()) throw refuse(module, 'it is not a regular file');
  if (!ownedSafely(st)) throw refuse(module, 'it belongs to another user');
  if (st.mode & GROUP_OR_OTHER_WRITE) throw refuse(module, 'it is writable by group or others');
  checkDirectories(module, dirname(module));
  checkDirectories(module, dirname(real));
  return real;
}
