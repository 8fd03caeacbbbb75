/**
 * The vault: a SQLite file of sealed records, opened with the master password.
 *
 * Password → Argon2id → KEK → unwraps a random 256-bit root key. The root key never leaves this
 * module; other layers get purpose-bound subkeys (HKDF) from `subkey()`. Every record is sealed
 * with AES-256-GCM (record-codec.ts). Writes happen inside a `WriteTx`, one SQLite transaction
 * that the caller commits together with its audit entry. The tx also keeps a running "state
 * digest" (an XOR of keyed hashes of every live (table, id, revision)) so the audit log can
 * commit to exactly which records exist; deleting or replaying a row then shows on unlock.
 */
import { existsSync } from 'node:fs';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { concatSealed, gcmOpen, gcmSeal, GCM_IV_BYTES, GCM_TAG_BYTES, splitSealed } from '../crypto/aead.js';
import { equalBytes, hkdf32, hmacSha256 } from '../crypto/hmac.js';
import { randomBytes, randomHex } from '../crypto/random.js';
import { openDb, type Db } from './db.js';
import { headerMacInput, readHeader, writeHeader, VAULT_FORMAT, type VaultHeader } from './header.js';
import { calibrateKdf, deriveKek, type StoredKdf } from './kdf-params.js';
import { OpenedCache } from './opened-cache.js';
import { openRecord, sealRecord, type RecordIdentity } from './record-codec.js';

export const STATE_BYTES = 32;

/** Purposes a subkey may be derived for; each is a distinct HKDF info string. */
export type SubkeyPurpose = 'records' | 'audit' | 'state' | 'hsm-wrap' | 'backup' | 'header';

/**
 * A sealed record written when a vault's header first gets its MAC. It never changes after, and
 * the state digest covers it, so a header whose MAC was stripped (to pass as an older vault)
 * is told apart from a vault that never had one.
 */
const HEADER_SEALED = { table: 'vault_meta', id: 'header_mac' } as const;

function wrapRoot(kek: Buffer, root: Buffer, aad: string): string {
  return concatSealed(gcmSeal(kek, root, Buffer.from(aad))).toString('base64');
}

function unwrapRoot(kek: Buffer, wrapped: string, aad: string): Buffer | null {
  const b = Buffer.from(wrapped, 'base64');
  const sealed = splitSealed(b);
  if (b.length !== GCM_IV_BYTES + 32 + GCM_TAG_BYTES || !sealed) return null;
  return gcmOpen(kek, sealed, Buffer.from(aad));
}

/** A FIFO async lock: one writer at a time inside this process (SQLite serialises processes). */
class WriteLock {
  private tail: Promise<void> = Promise.resolve();
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return release;
  }
}

export class Vault {
  private root: Buffer | null = null;
  private readonly subkeys = new Map<SubkeyPurpose, Buffer>();
  private readonly writeLock = new WriteLock();
  private readonly opened: OpenedCache;
  private readonly getRow;
  private readonly listRows;
  private readonly listIds;
  private readonly putRow;
  private readonly deleteRow;
  /** Transaction control, prepared once: `db.exec`/`db.pragma` compile their SQL on every call. */
  private readonly txControl;

  private constructor(
    readonly path: string,
    readonly db: Db,
    private hdr: VaultHeader,
  ) {
    this.getRow = db.prepare<[string, string], { rev: number; body: Buffer }>('SELECT rev, body FROM records WHERE tbl = ? AND id = ?');
    this.listRows = db.prepare<[string], { id: string; rev: number; body: Buffer }>('SELECT id, rev, body FROM records WHERE tbl = ? ORDER BY id');
    this.listIds = db.prepare<[string, string, number], { id: string }>('SELECT id FROM records WHERE tbl = ? AND id > ? ORDER BY id LIMIT ?');
    this.putRow = db.prepare(
      'INSERT INTO records (tbl, id, rev, body) VALUES (?, ?, ?, ?) ON CONFLICT(tbl, id) DO UPDATE SET rev = excluded.rev, body = excluded.body',
    );
    this.deleteRow = db.prepare('DELETE FROM records WHERE tbl = ? AND id = ?');
    this.txControl = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      beginRead: db.prepare('BEGIN DEFERRED'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
      syncFull: db.prepare('PRAGMA synchronous = FULL'),
    };
    const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.opened = new OpenedCache(() => dataVersion.get() as number);
  }

  get header(): Readonly<VaultHeader> {
    return this.hdr;
  }

  /** Creates a new vault file protected by `password`; returns it unlocked. */
  static async create(path: string, password: string, opts: { kdfTargetMs?: number } = {}): Promise<Vault> {
    if (existsSync(path)) throw new KeyholdError(LocalErrors.VaultExists, `A vault already exists at ${path}.`, 400);
    if (!password) throw new KeyholdError(LocalErrors.PasswordRequired, 'A master password is required.', 400);
    const kdf = await calibrateKdf(opts.kdfTargetMs ?? 500);
    const root = randomBytes(32);
    const vaultId = randomHex(16);
    const kek = await deriveKek(password, kdf);
    const header: VaultHeader = {
      format: VAULT_FORMAT,
      vault_id: vaultId,
      domain_id: randomHex(16),
      project_id: randomHex(16),
      created: Date.now(),
      kdf,
      root_by_password: wrapRoot(kek, root, `keyhold-root|password|${vaultId}`),
    };
    kek.fill(0);
    const db = openDb(path, { create: true });
    const vault = new Vault(path, db, header);
    vault.root = root;
    vault.setHeader(header);
    return vault;
  }

  /** Opens an existing vault, locked. The header is validated (with bounds) here. */
  static open(path: string): Vault {
    if (!existsSync(path)) throw new KeyholdError(LocalErrors.VaultMissing, `No vault at ${path}: run \`keyhold init\` first.`, 400);
    let db: Db;
    try {
      db = openDb(path, { create: false });
    } catch {
      throw new KeyholdError(LocalErrors.VaultFormat, `Not a Keyhold vault: ${path} cannot be opened as one.`, 400);
    }
    try {
      return new Vault(path, db, readHeader(db));
    } catch (e) {
      db.close();
      if (e instanceof KeyholdError) throw e;
      throw new KeyholdError(LocalErrors.VaultFormat, `Not a Keyhold vault: ${path}.`, 400);
    }
  }

  get unlocked(): boolean {
    return this.root !== null;
  }

  get kdf(): StoredKdf {
    return this.hdr.kdf;
  }

  async unlock(password: string): Promise<void> {
    const kek = await deriveKek(password, this.hdr.kdf);
    const root = unwrapRoot(kek, this.hdr.root_by_password, `keyhold-root|password|${this.hdr.vault_id}`);
    kek.fill(0);
    if (!root) throw new KeyholdError(LocalErrors.WrongPassword, 'Wrong master password.', 400);
    this.unlockWith(root);
  }

  /** Takes the root key, then authenticates the header with it; a forged header locks again. */
  private unlockWith(root: Buffer): void {
    this.root = root;
    try {
      this.checkHeader(this.hdr);
    } catch (e) {
      this.lock();
      throw e;
    }
  }

  private headerMac(h: VaultHeader): Buffer {
    return hmacSha256(this.subkey('header'), headerMacInput(h));
  }

  /**
   * Authenticates every header field (VAULT.0508 when one was changed). A header without a MAC
   * passes only in a vault that never had one (then `needsHeaderSeal`).
   */
  private checkHeader(h: VaultHeader): void {
    const forged = (why: string) =>
      new KeyholdError(
        LocalErrors.HeaderForged,
        `The vault header ${why}: a field (domain_id, project_id, created, the KDF or a wrapped key) was changed outside Keyhold.`,
        500,
      );
    if (h.header_mac === undefined) {
      if (this.read(HEADER_SEALED.table, HEADER_SEALED.id) !== undefined) throw forged('has lost its MAC');
      return;
    }
    if (!equalBytes(this.headerMac(h), Buffer.from(h.header_mac, 'hex'))) throw forged('does not authenticate');
  }

  /** Whether the header still lacks its MAC (a vault from before it): `sealHeader` migrates it. */
  get needsHeaderSeal(): boolean {
    return this.hdr.header_mac === undefined;
  }

  /** Gives the header its MAC and writes the record saying it has one, in `tx` (migration, creation). */
  sealHeader(tx: WriteTx): void {
    this.setHeader(this.hdr);
    tx.put(HEADER_SEALED.table, HEADER_SEALED.id, { sealed: true });
  }

  /** Writes `h` with a fresh MAC over all its fields (the vault must be unlocked). */
  private setHeader(h: VaultHeader): void {
    const { header_mac: _old, ...fields } = h;
    const sealed = { ...fields, header_mac: this.headerMac(fields).toString('hex') };
    writeHeader(this.db, sealed);
    this.hdr = sealed;
  }

  /** Unlocks with the device secret kept in the OS keychain ("remember on this device"). */
  unlockWithDeviceSecret(secret: Buffer): void {
    const wrapped = this.hdr.root_by_device;
    const root = wrapped ? unwrapRoot(hkdf32(secret, 'keyhold/v1/device'), wrapped, `keyhold-root|device|${this.hdr.vault_id}`) : null;
    if (!root) throw new KeyholdError(LocalErrors.WrongPassword, 'The remembered device secret no longer opens this vault; unlock with the password.', 400);
    this.unlockWith(root);
  }

  /** Wraps the root key under a fresh device secret, which the caller keeps in the keychain. */
  rememberDevice(): Buffer {
    const secret = randomBytes(32);
    this.setHeader({ ...this.hdr, root_by_device: wrapRoot(hkdf32(secret, 'keyhold/v1/device'), this.rootKey(), `keyhold-root|device|${this.hdr.vault_id}`) });
    return secret;
  }

  forgetDevice(): void {
    const { root_by_device: _dropped, ...rest } = this.hdr;
    this.setHeader(rest);
  }

  /** Rewraps only the root key: records, audit and HSM material stay as they are. */
  async changePassword(newPassword: string, opts: { kdfTargetMs?: number } = {}): Promise<StoredKdf> {
    if (!newPassword) throw new KeyholdError(LocalErrors.PasswordRequired, 'The new master password must not be empty.', 400);
    const kdf = opts.kdfTargetMs === undefined ? { ...this.hdr.kdf, salt: randomBytes(16).toString('base64') } : await calibrateKdf(opts.kdfTargetMs);
    const kek = await deriveKek(newPassword, kdf);
    const hdr = { ...this.hdr, kdf, root_by_password: wrapRoot(kek, this.rootKey(), `keyhold-root|password|${this.hdr.vault_id}`) };
    kek.fill(0);
    this.setHeader(hdr);
    return kdf;
  }

  lock(): void {
    this.root?.fill(0);
    this.root = null;
    for (const k of this.subkeys.values()) k.fill(0);
    this.subkeys.clear();
    this.opened.clear();
  }

  close(): void {
    this.lock();
    if (this.db.open) this.db.close();
  }

  private rootKey(): Buffer {
    if (!this.root) throw new KeyholdError(LocalErrors.VaultLocked, 'The vault is locked.', 400);
    return this.root;
  }

  subkey(purpose: SubkeyPurpose): Buffer {
    let k = this.subkeys.get(purpose);
    if (!k) {
      k = hkdf32(this.rootKey(), `keyhold/v1/${purpose}`);
      this.subkeys.set(purpose, k);
    }
    return k;
  }

  /** The keyed hash of one row's identity; the state digest XORs these over live rows. */
  stateTerm(table: string, id: string, rev: number): Buffer {
    return hmacSha256(this.subkey('state'), `${table}\u0000${id}\u0000${rev}`);
  }

  /** Recomputes the state digest from the rows present now (no decryption needed). */
  computeState(): { state: Buffer; rows: RecordIdentity[] } {
    const state = Buffer.alloc(STATE_BYTES);
    const rows = this.db.prepare<[], { tbl: string; id: string; rev: number }>('SELECT tbl, id, rev FROM records').all();
    for (const r of rows) xorInto(state, this.stateTerm(r.tbl, r.id, r.rev));
    return { state, rows: rows.map((r) => ({ table: r.tbl, id: r.id, rev: r.rev })) };
  }

  read<T>(table: string, id: string): T | undefined {
    this.opened.sync();
    const hit = this.opened.get(table, id);
    if (hit !== undefined) return JSON.parse(hit) as T;
    const row = this.getRow.get(table, id);
    if (!row) return undefined;
    return JSON.parse(this.open(table, id, row.rev, row.body)) as T;
  }

  /** Authenticates a sealed body found at (table, id, rev) and keeps its JSON (OpenedCache). */
  private open(table: string, id: string, rev: number, body: Buffer): string {
    const json = openRecord(this.subkey('records'), { table, id, rev }, body).toString('utf8');
    this.opened.set(table, id, body.length, json);
    return json;
  }

  list<T>(table: string): T[] {
    this.opened.sync();
    return this.listRows.all(table).map((row) => JSON.parse(this.opened.get(table, row.id) ?? this.open(table, row.id, row.rev, row.body)) as T);
  }

  /**
   * Row ids in ascending (byte) order, optionally only those after `after` and at most
   * `limit` of them; ids are stored in clear, so nothing is opened.
   */
  ids(table: string, range: { after?: string; limit?: number } = {}): string[] {
    return this.listIds.all(table, range.after ?? '', range.limit ?? -1).map((r) => r.id);
  }

  /**
   * Authenticates every record and returns how many there are. A record that does not open does
   * not stop the others: all are tried, then one error names every damaged record with its code
   * (the first one's code is the error's).
   */
  verifyRecords(): number {
    // The header as stored now, not as read at open: it may have been edited since.
    this.checkHeader(readHeader(this.db));
    const key = this.subkey('records');
    const rows = this.db.prepare<[], { tbl: string; id: string; rev: number; body: Buffer }>('SELECT tbl, id, rev, body FROM records').all();
    const damaged: { name: string; code: string }[] = [];
    for (const r of rows) {
      try {
        openRecord(key, { table: r.tbl, id: r.id, rev: r.rev }, r.body).fill(0);
      } catch (e) {
        if (!(e instanceof KeyholdError)) throw e;
        damaged.push({ name: `${r.tbl}/${r.id}`, code: e.code });
      }
    }
    const first = damaged[0];
    if (first) {
      const list = damaged.map((d) => `${d.name} (${d.code})`).join(', ');
      throw new KeyholdError(first.code, `${damaged.length} of ${rows.length} vault records do not open: ${list}.`, 500);
    }
    return rows.length;
  }

  /**
   * Runs `read` on one snapshot of the database: one read transaction, so every row it reads is
   * from the same commit however many statements it takes, while other processes go on writing.
   * It holds this process's write lock, so no transaction of this connection is half-done under
   * it; `read` is synchronous, so the lock is held for exactly that long.
   */
  async snapshot<T>(read: () => T): Promise<T> {
    this.rootKey();
    const release = await this.writeLock.acquire();
    try {
      this.txControl.beginRead.run();
      try {
        return read();
      } finally {
        this.txControl.commit.run();
      }
    } finally {
      release();
    }
  }

  /**
   * Runs `fn` as one write transaction under the in-process write lock and SQLite's
   * BEGIN IMMEDIATE. `fn` may await; `finish` runs last, inside the transaction (the audit
   * entry goes there), and a throw anywhere rolls everything back.
   */
  async write<R>(
    fn: (tx: WriteTx) => Promise<R> | R,
    finish: (tx: WriteTx, result: R) => void,
    opts: { durability: 'full' | 'normal' } = { durability: 'full' },
  ): Promise<R> {
    this.rootKey();
    const release = await this.writeLock.acquire();
    try {
      // 'normal' (WAL without an fsync at commit) survives a crash of the process; the next
      // 'full' commit makes it durable against power loss too.
      if (opts.durability === 'normal') this.txControl.syncNormal.run();
      this.txControl.begin.run();
      try {
        const tx = new WriteTx(this);
        const result = await fn(tx);
        finish(tx, result);
        this.txControl.commit.run();
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.txControl.rollback.run();
        // Entries made inside the transaction may hold what was just rolled back.
        this.opened.clear();
        throw e;
      }
    } finally {
      if (opts.durability === 'normal') this.txControl.syncFull.run();
      release();
    }
  }

  /** @internal used by WriteTx */
  _put(table: string, id: string, value: unknown): { oldRev: number | null; rev: number } {
    this.opened.drop(table, id);
    const old = this.getRow.get(table, id);
    const rev = (old?.rev ?? 0) + 1;
    this.putRow.run(table, id, rev, sealRecord(this.subkey('records'), { table, id, rev }, Buffer.from(JSON.stringify(value), 'utf8')));
    return { oldRev: old?.rev ?? null, rev };
  }

  /** @internal used by WriteTx */
  _delete(table: string, id: string): number | null {
    this.opened.drop(table, id);
    const old = this.getRow.get(table, id);
    if (!old) return null;
    this.deleteRow.run(table, id);
    return old.rev;
  }
}

export function xorInto(acc: Buffer, term: Buffer): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] ?? 0) ^ (term[i] ?? 0);
}

/** What one write transaction changed: the rows written and the state-digest delta. */
export class WriteTx {
  readonly writes: [table: string, id: string, rev: number][] = [];
  readonly delta = Buffer.alloc(STATE_BYTES);

  constructor(private readonly vault: Vault) {}

  read<T>(table: string, id: string): T | undefined {
    return this.vault.read<T>(table, id);
  }

  list<T>(table: string): T[] {
    return this.vault.list<T>(table);
  }

  ids(table: string, range?: { after?: string; limit?: number }): string[] {
    return this.vault.ids(table, range);
  }

  put(table: string, id: string, value: unknown): void {
    const { oldRev, rev } = this.vault._put(table, id, value);
    if (oldRev !== null) xorInto(this.delta, this.vault.stateTerm(table, id, oldRev));
    xorInto(this.delta, this.vault.stateTerm(table, id, rev));
    this.writes.push([table, id, rev]);
  }

  /** Deletes a record; its entry in `writes` has revision 0. */
  delete(table: string, id: string): void {
    const oldRev = this.vault._delete(table, id);
    if (oldRev === null) return;
    xorInto(this.delta, this.vault.stateTerm(table, id, oldRev));
    this.writes.push([table, id, 0]);
  }
}
