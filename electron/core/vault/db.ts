/** The SQLite file: pragmas chosen for durability (WAL, synchronous=FULL) and the schema. */
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

export function openDb(path: string, opts: { create: boolean }): Db {
  const db = new Database(path, { fileMustExist: !opts.create });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  if (opts.create) db.exec(SCHEMA);
  return db;
}
