/**
 * The SQLite file: pragmas chosen for durability (WAL, synchronous=FULL) and the schema. The
 * file holds the wrapped root key and the KDF salt, so it and its -wal and -shm are the owner's
 * alone (0600) whatever the umask or the folder: the file is created 0600 before SQLite opens it
 * (SQLite gives -wal and -shm the database file's mode), and every open sets 0600 again on all
 * three, which also mends a vault created before this rule.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  tbl TEXT NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (tbl, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, mac BLOB NOT NULL);
`;

export const OWNER_ONLY = 0o600;

/** Sets 0600 on `path` if it exists; a file of another owner (EPERM) is left as it is. */
export function ownerOnly(path: string): void {
  try {
    chmodSync(path, OWNER_ONLY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'EROFS') throw e;
  }
}

/** Everything a vault's sqlite_master holds: its three tables and meta's primary-key index. */
const VAULT_SCHEMA_OBJECTS = ['index sqlite_autoindex_meta_1', 'table audit', 'table meta', 'table records'];

/**
 * An existing file is a vault only if its schema is exactly the vault's: a backup or a swapped
 * file is outside input, and a view, trigger or extra table in it would run the file's own SQL
 * inside every later query (a view over an endless recursive query hangs the process). Read from
 * sqlite_master, which evaluates nothing.
 */
function requireVaultSchema(db: Db): void {
  const objects = (db.prepare('SELECT type, name FROM sqlite_master').all() as { type: string; name: string }[]).map((o) => `${o.type} ${o.name}`).sort();
  if (objects.join('\n') !== VAULT_SCHEMA_OBJECTS.join('\n')) throw new Error(`unexpected schema: ${objects.join(', ').slice(0, 200)}`);
}

export function openDb(path: string, opts: { create: boolean }): Db {
  if (opts.create) closeSync(openSync(path, 'wx', OWNER_ONLY));
  ownerOnly(path);
  const db = new Database(path, { fileMustExist: !opts.create });
  // No function of the file's own schema runs with side effects (defence in depth beside the check).
  db.pragma('trusted_schema = OFF');
  if (!opts.create) {
    try {
      requireVaultSchema(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  if (opts.create) db.exec(SCHEMA);
  // WAL mode made both files by now (the -wal stays while this connection is open).
  ownerOnly(`${path}-wal`);
  ownerOnly(`${path}-shm`);
  return db;
}
