/**
 * The desktop app's rule for paths (docs/desktop.md, "Paths come from dialogs"): the page
 * never names a file. An OS dialog hands the page an opaque token for the path the user chose,
 * bound to what the dialog was for (reading a file, or writing one); a file operation over IPC
 * takes such tokens in its path fields, each once. A compromised renderer can thus touch only
 * files the user picked, and only in the way the dialog was opened for: it cannot copy
 * ~/.ssh/id_ed25519 nor overwrite ~/.bashrc. The CLI keeps plain paths.
 */
import { randomBytes } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import type { RegisteredOperation } from '../core/api/index.js';

/** What a dialog was opened for: choosing a file to read, or where to write one. */
export type PathUse = 'open' | 'save';

/**
 * The path fields of every operation the desktop app may run on files, and what each is for.
 * An operation that works on files but is missing here is refused over IPC, so a new one
 * stays closed until it is listed.
 */
export const IPC_PATH_FIELDS: Readonly<Record<string, Readonly<Record<string, PathUse>>>> = {
  fileEncrypt: { in: 'open', out: 'save' },
  fileDecrypt: { in: 'open', out: 'save' },
  fileSign: { in: 'open', out: 'save' },
  fileVerify: { in: 'open', signature: 'open', public_key: 'open' },
  kpsInspect: { in: 'open' },
  kpsConvert: { in: 'open', out: 'save' },
  kpsWindowsPassword: { private_key: 'open' },
  remoteWindowsPassword: { private_key: 'open' },
  remoteByok: { material_file: 'open', material_out: 'save' },
  exportPrivateKey: { out: 'save' },
  vaultBackup: { out: 'save' },
  // The PKCS#11 module the user picked in an open dialog (its path is still checked before loading: docs/hsm.md).
  createKeyStore: { pkcs11_module: 'open' },
};

/** Tokens not yet used, at most this many (the oldest is forgotten first). */
const MAX_OUTSTANDING = 64;

export class PathTokens {
  private readonly issued = new Map<string, { path: string; use: PathUse }>();

  /** A fresh token for a path the user chose in a dialog opened for `use`. */
  issue(path: string, use: PathUse): string {
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, { path, use });
    if (this.issued.size > MAX_OUTSTANDING) this.issued.delete(this.issued.keys().next().value as string);
    return token;
  }

  /** The path behind `token` if it was issued for `use`; the token is spent either way. */
  take(token: string, use: PathUse): string | null {
    const entry = this.issued.get(token);
    if (!entry) return null;
    this.issued.delete(token);
    return entry.use === use ? entry.path : null;
  }
}

function refuse(op: RegisteredOperation, message: string): KeyholdError {
  return new KeyholdError(op.decl.validation.invalid, message, 400);
}

/**
 * The input with every path field's token replaced by its path. Refuses (the operation's own
 * invalid-parameter code) a field holding anything but a live token for its use (without the
 * shell's dialogs there are none), and any operation on files whose path fields are not listed.
 */
export function resolvePathTokens(op: RegisteredOperation, input: unknown, tokens: PathTokens | null): unknown {
  const touchesFiles = Boolean(op.decl.localFiles || op.decl.localFileFields?.length);
  if (!touchesFiles) return input;
  const fields = IPC_PATH_FIELDS[op.key];
  if (!fields) throw refuse(op, `${op.decl.service} ${op.decl.name} works on files and is not offered to the app's window.`);
  if (input === null || typeof input !== 'object') return input;
  const resolved: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  // Spend every token given before refusing any: a refused call leaves none behind to retry with.
  const problems: string[] = [];
  for (const [field, use] of Object.entries(fields)) {
    const value = resolved[field];
    if (value === undefined) continue;
    const path = typeof value === 'string' && tokens ? tokens.take(value, use) : null;
    if (path === null) problems.push(field);
    else resolved[field] = path;
  }
  if (problems.length) {
    throw refuse(
      op,
      `Invalid parameter ${problems.join(', ')}: choose the file with the ${problems.length === 1 ? 'dialog' : 'dialogs'} (a file is named by the token a dialog gives, once, for reading or writing as it was opened).`,
    );
  }
  return resolved;
}
