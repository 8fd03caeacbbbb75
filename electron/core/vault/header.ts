/**
 * The vault header: identity, KDF parameters and the wrapped root key, kept in the `meta`
 * table. Read back with bounds so a crafted header is a typed error, never a hang.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { checkKdf, type StoredKdf } from './kdf-params.js';
import type { Db } from './db.js';

export const VAULT_FORMAT = 1;
const MAX_HEADER_CHARS = 64 * 1024;

export interface VaultHeader {
  format: typeof VAULT_FORMAT;
  vault_id: string;
  domain_id: string;
  project_id: string;
  created: number;
  kdf: StoredKdf;
  /** iv ‖ ciphertext ‖ tag of the root key under the password's KEK, base64. */
  root_by_password: string;
  /** The same root key under a device secret kept in the OS keychain ("remember"). */
  root_by_device?: string;
}

export function readHeader(db: Db): VaultHeader {
  const row = db.prepare('SELECT v FROM meta WHERE k = ?').get('header') as { v: string } | undefined;
  const bad = (what: string) => new KeyholdError(LocalErrors.VaultFormat, `Not a Keyhold vault: ${what}.`, 400);
  if (!row) throw bad('no header');
  if (row.v.length > MAX_HEADER_CHARS) throw new KeyholdError(LocalErrors.HeaderOutOfBounds, 'Vault header rejected: too large.', 500);
  let h: Partial<VaultHeader>;
  try {
    h = JSON.parse(row.v) as Partial<VaultHeader>;
  } catch {
    throw bad('header is not JSON');
  }
  if (h.format !== VAULT_FORMAT) throw bad(`unsupported format ${String(h.format)}`);
  for (const f of ['vault_id', 'domain_id', 'project_id', 'root_by_password'] as const) {
    if (typeof h[f] !== 'string' || (h[f] as string).length > 4096) throw bad(`field ${f} missing or malformed`);
  }
  if (h.root_by_device !== undefined && (typeof h.root_by_device !== 'string' || h.root_by_device.length > 4096)) throw bad('field root_by_device malformed');
  return { ...(h as VaultHeader), kdf: checkKdf(h.kdf) };
}

export function writeHeader(db: Db, header: VaultHeader): void {
  db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run('header', JSON.stringify(header));
}
