/**
 * The audit log: one entry per operation, HMAC-chained under a key derived from the root key,
 * written in the same transaction as the change it describes. Each entry also carries the
 * vault's state digest after the operation, so the newest entry commits to exactly which
 * records exist. Entries hold names, ids and outcomes, never plaintext or key material.
 *
 * Read-only operations are audited too: their entries are grouped into one transaction per
 * turn of the event loop (group commit) and the operation only returns once its entry is
 * committed, so a failed audit write still fails the operation. That commit skips the WAL fsync
 * (synchronous=NORMAL): it survives a crash of Keyhold, and power loss once the anchor that
 * follows it has fsynced the WAL (anchor.ts) or the next write (always synchronous=FULL)
 * commits. Writes and their entries are fully durable and anchored on return.
 *
 * Every check reads the anchor first and then one snapshot of the rows (`anchorThenSnapshot`).
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { AuditEvent, AuditLoss } from '../../../shared/operations/index.js';
import { equalBytes, hmacSha256 } from '../crypto/hmac.js';
import { STATE_BYTES, xorInto, type Vault, type WriteTx } from '../vault/vault.js';
import { AnchorWriter, readAnchor, type AnchorHead } from './anchor.js';

export interface AuditInput {
  transport: string;
  operation: string;
  key_id: string | null;
  /** 'success', or the error code the operation failed with. */
  outcome: string;
  fields: Record<string, unknown>;
}

interface StoredEntry extends AuditInput {
  seq: number;
  time: string;
  writes: [string, string, number][];
  /** Hex state digest after this entry's operation. */
  state: string;
}

interface Row {
  seq: number;
  entry: string;
  mac: Buffer;
}

/** Entries the anchor named that the database no longer has (see `checkOnUnlock`). */
export interface LostEntries {
  from: number;
  to: number;
  anchored_mac: string;
}

const LOSS_OPERATION = 'audit entries lost';
/**
 * Text only a loss entry holds (JSON escapes quotes inside values, and only Keyhold sets the
 * transport), so `verify` finds them without parsing every entry.
 */
const LOSS_MARK = `"transport":"system","operation":"${LOSS_OPERATION}"`;

/** The newest entry's sequence number, MAC and (hex) state digest: what the next one chains from. */
interface Tip {
  seq: number;
  mac: Buffer;
  state: string;
}

const ZERO_STATE = Buffer.alloc(STATE_BYTES).toString('hex');

/**
 * An entry's text: exactly what `JSON.stringify({ seq, time, ...input, writes, state })` writes
 * (AuditInput has none of those four keys), but with the parts every entry of a batch shares
 * (`time`, `writes`, `state`: JSON already) serialised once for the batch rather than per entry.
 */
export function entryText(seq: number, timeJson: string, input: AuditInput, writesJson: string, state: string): string {
  const own = JSON.stringify(input);
  return `{"seq":${seq},"time":${timeJson}${own.length > 2 ? `,${own.slice(1, -1)}` : ''},"writes":${writesJson},"state":"${state}"}`;
}

/** Rows per multi-row INSERT: one statement per 16 entries costs about half as much per row. */
const INSERT_CHUNK = 16;

/** Read-only operations' entries waiting for the next group commit, and its one outcome. */
interface PendingBatch {
  inputs: AuditInput[];
  committed: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class AuditLog {
  private pending: PendingBatch | null = null;

  private readonly lastStmt;
  private readonly tipStmt;
  private readonly entryStmt;
  private readonly insertStmt;
  private readonly insertChunkStmt;
  private readonly anchorWriter;
  private wrote = false;
  /** Why the last anchor write failed, until one succeeds. */
  private anchorFailure: KeyholdError | null = null;
  /**
   * The last entry this log appended. When it is still the newest row (same seq and MAC: no
   * other process appended since and its transaction committed), the next append chains from it
   * without reading back and parsing its JSON.
   */
  private appended: Tip | null = null;

  constructor(private readonly vault: Vault) {
    this.lastStmt = vault.db.prepare<[], Row>('SELECT seq, entry, mac FROM audit ORDER BY seq DESC LIMIT 1');
    this.tipStmt = vault.db.prepare<[], { seq: number; mac: Buffer }>('SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1');
    this.entryStmt = vault.db.prepare<[number], string>('SELECT entry FROM audit WHERE seq = ?').pluck();
    this.insertStmt = vault.db.prepare('INSERT INTO audit (seq, entry, mac) VALUES (?, ?, ?)');
    this.insertChunkStmt = vault.db.prepare(`INSERT INTO audit (seq, entry, mac) VALUES ${Array.from({ length: INSERT_CHUNK }, () => '(?, ?, ?)').join(', ')}`);
    this.anchorWriter = new AnchorWriter(vault.path);
  }

  private key(): Buffer {
    return this.vault.subkey('audit');
  }

  private genesis(): Buffer {
    return hmacSha256(this.key(), `keyhold-audit-genesis|${this.vault.header.vault_id}`);
  }

  private lastRow(): Row | undefined {
    return this.lastStmt.get();
  }

  /** The newest row's tip; its JSON is read and parsed only when it is not the one appended last. */
  private newest(): Tip | null {
    const last = this.tipStmt.get();
    if (!last) return null;
    const mine = this.appended;
    if (mine && mine.seq === last.seq && mine.mac.equals(last.mac)) return mine;
    const entry = JSON.parse(this.entryStmt.get(last.seq) as string) as StoredEntry;
    return { seq: last.seq, mac: last.mac, state: Buffer.from(entry.state, 'hex').toString('hex') };
  }

  /**
   * Appends entries inside `tx`'s transaction (the caller holds the write lock, so the newest
   * row read here is the true predecessor); the state digest advances by `tx.delta`.
   */
  append(tx: WriteTx | null, ...inputs: AuditInput[]): void {
    const last = this.newest();
    let prevMac = last?.mac ?? this.genesis();
    let seq = last?.seq ?? 0;
    let state = last?.state ?? ZERO_STATE;
    if (tx) {
      const stateBytes = Buffer.from(state, 'hex');
      xorInto(stateBytes, tx.delta);
      state = stateBytes.toString('hex');
    }
    const timeJson = JSON.stringify(new Date().toISOString());
    const writesJson = JSON.stringify(tx ? tx.writes : []);
    const rows: (number | string | Buffer)[] = [];
    for (const input of inputs) {
      const text = entryText(++seq, timeJson, input, writesJson, state);
      prevMac = hmacSha256(this.key(), prevMac, text);
      rows.push(seq, text, prevMac);
    }
    try {
      this.insertRows(rows);
    } catch (e) {
      throw new KeyholdError(
        LocalErrors.AuditWriteFailed,
        `The audit entry could not be written (${(e as Error).message}); the operation was not applied.`,
        500,
      );
    }
    if (inputs.length) this.appended = { seq, mac: prevMac, state };
  }

  /** Inserts (seq, entry, mac) triples, INSERT_CHUNK rows to a statement while there are enough. */
  private insertRows(rows: (number | string | Buffer)[]): void {
    const chunk = INSERT_CHUNK * 3;
    let i = 0;
    for (; i + chunk <= rows.length; i += chunk) this.insertChunkStmt.run(rows.slice(i, i + chunk));
    for (; i < rows.length; i += 3) this.insertStmt.run(rows[i], rows[i + 1], rows[i + 2]);
  }

  private head(): AnchorHead | null {
    const last = this.tipStmt.get();
    return last ? { vault_id: this.vault.header.vault_id, seq: last.seq, mac: last.mac.toString('hex') } : null;
  }

  /**
   * Moves the anchor to the newest committed entry, off the event loop. Call after every
   * commit; resolves once it is in place, rejects with AUDIT.0505 when it could not be written.
   * A failure is also kept, so the session refuses the next operation until `ensureAnchored`
   * succeeds (a read-only batch does not wait for its anchor, see `flush`).
   */
  anchor(): Promise<void> {
    const head = this.head();
    if (!head) return Promise.resolve();
    this.wrote = true;
    return this.anchorWriter.write(head).then(
      () => {
        this.anchorFailure = null;
      },
      (e: unknown) => {
        this.anchorFailure = e as KeyholdError;
        throw e;
      },
    );
  }

  /** Refuses (AUDIT.0505) while the last anchor write failed and writing it now fails again. */
  ensureAnchored(): void {
    if (this.anchorFailure) this.anchorNow();
  }

  /** Moves the anchor now: before the vault closes, and when a vault is created or restored. */
  anchorNow(): void {
    const head = this.head();
    try {
      if (head) this.anchorWriter.now(head);
    } catch (e) {
      this.anchorFailure = e as KeyholdError;
      throw e;
    }
    this.anchorFailure = null;
    this.wrote = false;
  }

  /** Call before closing the vault: the anchor must not be left behind the last commit. */
  close(): void {
    if (this.wrote || this.anchorFailure) this.anchorNow();
  }

  /**
   * Records a read-only operation's entry; resolves once it is committed (group commit). Every
   * entry of a batch shares the batch's one promise: they commit or fail together.
   */
  record(input: AuditInput): Promise<void> {
    if (!this.pending) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const committed = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.pending = { inputs: [], committed, resolve, reject };
      setImmediate(() => void this.flush());
    }
    this.pending.inputs.push(input);
    return this.pending.committed;
  }

  private async flush(): Promise<void> {
    const batch = this.pending as PendingBatch;
    this.pending = null;
    try {
      await this.vault.write(
        () => undefined,
        () => this.append(null, ...batch.inputs),
        { durability: 'normal' },
      );
      // Its anchor is not awaited: it costs two fsyncs, which would bound read-only throughput
      // (docs/vault-format.md "Durability"). A failure is kept and refuses the next operation.
      this.anchor().catch(() => undefined);
      batch.resolve();
    } catch (e) {
      batch.reject(e);
    }
  }

  /**
   * Cheap checks run at every unlock: the newest entry authenticates, the anchor does not lead
   * the database, and the records present match the newest entry's state digest. All of them
   * read one snapshot (see `anchorThenSnapshot`).
   *
   * One finding does not refuse the vault: entries the anchor names that are gone from the end
   * of a log that is otherwise whole (its newest entry authenticates, the records match it).
   * That is what a disk that lost synced writes leaves, or someone deleting the newest rows;
   * either way the records are consistent, so the loss is returned for the session to record
   * in the log itself (`recordLoss`), where it stays visible, instead of locking the user out.
   */
  async checkOnUnlock(): Promise<LostEntries | null> {
    return this.anchorThenSnapshot(true, (anchor) => {
      const last = this.lastRow();
      if (!last) throw new KeyholdError(LocalErrors.AuditTruncated, 'The audit log is empty: its entries were removed.', 500);
      const prev = this.vault.db.prepare<[number], Row>('SELECT seq, entry, mac FROM audit WHERE seq = ?').get(last.seq - 1);
      this.checkMac(last, prev?.mac ?? (last.seq === 1 ? this.genesis() : null));
      if (anchor && anchor.vault_id === this.vault.header.vault_id && anchor.seq > last.seq) {
        // The records must still match what is left of the log; if not, refuse and say why.
        if (!this.stateMatches(last)) this.checkAnchor(anchor, last);
        return { from: last.seq + 1, to: anchor.seq, anchored_mac: anchor.mac };
      }
      if (anchor) this.checkAnchor(anchor, last);
      this.checkState(last);
      return null;
    });
  }

  /**
   * Records, as an entry of its own (outcome AUDIT.0502), that the entries `lost` names are
   * missing, and anchors the log there, so the loss stays in the log for `audit list-events`.
   */
  async recordLoss(lost: LostEntries): Promise<void> {
    await this.vault.write(
      () => undefined,
      (tx) => this.append(tx, { transport: 'system', operation: LOSS_OPERATION, key_id: null, outcome: LocalErrors.AuditTruncated, fields: { ...lost } }),
    );
    await this.anchor();
  }

  /**
   * Reads the anchor file, then runs `check` on one snapshot of the database taken after it.
   * Whoever wrote the anchor had committed the entry it names before writing it, so a snapshot
   * begun after reading it holds that entry: an anchor ahead of this snapshot was not written
   * by Keyhold, and a writer committing meanwhile can only make the snapshot newer than the
   * anchor, never older. (Read the other way round, a commit and its anchor landing between the
   * two reads looked like deleted rows.)
   */
  private async anchorThenSnapshot<T>(anchored: boolean, check: (anchor: AnchorHead | null) => T): Promise<T> {
    const anchor = anchored ? readAnchor(this.vault.path) : null;
    return this.vault.snapshot(() => check(anchor));
  }

  private checkMac(row: Row, prevMac: Buffer | null): void {
    if (!prevMac || !equalBytes(hmacSha256(this.key(), prevMac, row.entry), row.mac)) {
      throw new KeyholdError(LocalErrors.AuditChainBroken, `Audit entry ${row.seq} does not chain from its predecessor: the log was altered.`, 500);
    }
  }

  private checkAnchor(anchor: AnchorHead, last: Row): void {
    if (anchor.vault_id !== this.vault.header.vault_id) {
      throw new KeyholdError(LocalErrors.AuditAnchorInvalid, 'The audit anchor beside the vault belongs to another vault.', 500);
    }
    if (anchor.seq > last.seq) {
      const missing = anchor.seq === last.seq + 1 ? `entry ${anchor.seq} is` : `entries ${last.seq + 1}-${anchor.seq} are`;
      throw new KeyholdError(
        LocalErrors.AuditTruncated,
        `The audit log ends at entry ${last.seq} but was anchored at entry ${anchor.seq}: ${missing} missing (deleted, or lost by a disk that did not keep what it had synced).`,
        500,
      );
    }
    const at = this.vault.db.prepare<[number], { mac: Buffer }>('SELECT mac FROM audit WHERE seq = ?').get(anchor.seq);
    if (!at || at.mac.toString('hex') !== anchor.mac) {
      throw new KeyholdError(LocalErrors.AuditChainBroken, `Audit entry ${anchor.seq} differs from the anchored one: the log was rewritten.`, 500);
    }
  }

  private stateMatches(last: Row): boolean {
    return this.vault.computeState().state.toString('hex') === (JSON.parse(last.entry) as StoredEntry).state;
  }

  private checkState(last: Row): void {
    const expected = (JSON.parse(last.entry) as StoredEntry).state;
    const { state, rows } = this.vault.computeState();
    if (state.toString('hex') === expected) return;
    // Something changed outside Keyhold: replay the log's writes to name what.
    const written = new Map<string, number>();
    for (const row of this.vault.db.prepare<[], Row>('SELECT seq, entry, mac FROM audit ORDER BY seq').iterate()) {
      for (const [t, id, rev] of (JSON.parse(row.entry) as StoredEntry).writes) written.set(`${t}/${id}`, rev);
    }
    for (const r of rows) {
      const want = written.get(`${r.table}/${r.id}`);
      if (want !== undefined && want > 0 && r.rev < want) {
        throw new KeyholdError(
          LocalErrors.RecordReplayed,
          `Vault record ${r.table}/${r.id} is at revision ${r.rev} but revision ${want} was written: an older copy was replayed.`,
          500,
        );
      }
      if (want === undefined || want === 0 || r.rev > want) {
        throw new KeyholdError(LocalErrors.RecordInjected, `Vault record ${r.table}/${r.id} (revision ${r.rev}) was never written by Keyhold.`, 500);
      }
      written.delete(`${r.table}/${r.id}`);
    }
    for (const [name, rev] of written) {
      if (rev > 0) throw new KeyholdError(LocalErrors.RecordMissing, `Vault record ${name} was deleted outside Keyhold.`, 500);
    }
    throw new KeyholdError(LocalErrors.AuditChainBroken, 'The records do not match the audit log.', 500);
  }

  /**
   * Full verification: every entry's MAC, contiguous sequence, the anchor (except for a backup
   * file, which has none of its own), and the state; with `records`, every record body is
   * authenticated too. Everything is read from one snapshot (`anchorThenSnapshot`).
   */
  async verify(opts: { anchored?: boolean; records?: boolean } = {}): Promise<{ entries: number; head: string; records: number | null; losses: AuditLoss[] }> {
    return this.anchorThenSnapshot(opts.anchored ?? true, (anchor) => {
      const records = opts.records ? this.vault.verifyRecords() : null;
      let prevMac = this.genesis();
      let expectSeq = 1;
      let last: Row | undefined;
      const losses: AuditLoss[] = [];
      for (const row of this.vault.db.prepare<[], Row>('SELECT seq, entry, mac FROM audit ORDER BY seq').iterate()) {
        if (row.seq !== expectSeq) throw new KeyholdError(LocalErrors.AuditChainBroken, `Audit entry ${expectSeq} is missing from the middle of the log.`, 500);
        this.checkMac(row, prevMac);
        if (row.entry.includes(LOSS_MARK)) {
          const { fields } = JSON.parse(row.entry) as StoredEntry;
          losses.push({ at: row.seq, from: fields.from as number, to: fields.to as number });
        }
        prevMac = row.mac;
        expectSeq++;
        last = row;
      }
      if (!last) throw new KeyholdError(LocalErrors.AuditTruncated, 'The audit log is empty: its entries were removed.', 500);
      if (anchor) this.checkAnchor(anchor, last);
      this.checkState(last);
      return { entries: last.seq, head: last.mac.toString('hex'), records, losses };
    });
  }

  list(opts: { limit: number; marker?: number; key_id?: string; operation?: string }): { events: AuditEvent[]; next_marker: number | null } {
    const events: AuditEvent[] = [];
    const stmt = this.vault.db.prepare<[number], Row>('SELECT seq, entry, mac FROM audit WHERE seq < ? ORDER BY seq DESC');
    let lastSeq: number | null = null;
    for (const row of stmt.iterate(opts.marker ?? Number.MAX_SAFE_INTEGER)) {
      const e = JSON.parse(row.entry) as StoredEntry;
      lastSeq = e.seq;
      if (opts.key_id && e.key_id !== opts.key_id) continue;
      if (opts.operation && e.operation !== opts.operation) continue;
      events.push({ seq: e.seq, time: e.time, transport: e.transport, operation: e.operation, key_id: e.key_id, outcome: e.outcome, fields: e.fields });
      if (events.length === opts.limit) break;
    }
    return { events, next_marker: events.length === opts.limit && lastSeq !== null && lastSeq > 1 ? lastSeq : null };
  }
}
