/**
 * The vault header: identity, KDF parameters and the wrapped root key, kept in the `meta`
 * table. Read back with bounds so a crafted header is a typed error, never a hang, and only
 * its known fields are kept. `header_mac` authenticates every other field (`headerMacInput`);
 * it can be checked only once the root key is unwrapped (vault.ts).
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
  /** Hex HMAC-SHA256 of `headerMacInput` under the `header` subkey; absent in vaults not yet migrated. */
  header_mac?: string;
}

/** Every field but the MAC itself, in a fixed order: what `header_mac` authenticates. */
export function headerMacInput(h: VaultHeader): string {
  const { kdf } = h;
  return JSON.stringify([
    'keyhold-header',
    h.format,
    h.vault_id,
    h.domain_id,
    h.project_id,
    h.created,
    kdf.alg,
    kdf.m,
    kdf.t,
    kdf.p,
    kdf.salt,
    h.root_by_password,
    h.root_by_device ?? null,
  ]);
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
  // Named by its JSON (bounded): String() of a crafted object ({"toString": ""}) would throw.
  if (h.format !== VAULT_FORMAT) throw bad(`unsupported format ${(JSON.stringify(h.format) ?? typeof h.format).slice(0, 40)}`);
  for (const f of ['vault_id', 'domain_id', 'project_id', 'root_by_password'] as const) {
    if (typeof h[f] !== 'string' || (h[f] as string).length > 4096) throw bad(`field ${f} missing or malformed`);
  }
  for (const f of ['root_by_device', 'header_mac'] as const) {
    if (h[f] !== undefined && (typeof h[f] !== 'string' || (h[f] as string).length > 4096)) throw bad(`field ${f} malformed`);
  }
  if (!Number.isSafeInteger(h.created)) throw bad('field created malformed');
  const kdf = checkKdf(h.kdf);
  // Only the known fields: anything else in the JSON is neither used nor authenticated.
  const header: VaultHeader = {
    format: VAULT_FORMAT,
    vault_id: h.vault_id as string,
    domain_id: h.domain_id as string,
    project_id: h.project_id as string,
    created: h.created as number,
    kdf,
    root_by_password: h.root_by_password as string,
  };
  if (h.root_by_device !== undefined) header.root_by_device = h.root_by_device;
  if (h.header_mac !== undefined) header.header_mac = h.header_mac;
  return header;
}

export function writeHeader(db: Db, header: VaultHeader): void {
  db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run('header', JSON.stringify(header));
}
