/**
 * The index of KMS work that comes due with time (the KMS twin of secrets/due-index.ts): for
 * each key with a scheduled deletion, expiring imported material or an automatic rotation, the
 * earliest time one of them falls due; for each import token, when it expires. One small record,
 * so maintenance (at every unlock and every minute) opens only the keys that are due instead of
 * decrypting every key.
 *
 * It is kept by `DueIndexedStore`, which the session puts around every write transaction's
 * store: whatever writes a key or token — any handler, now or later — updates the index in the
 * same transaction, so no writer has to remember it. A vault written before the index existed
 * (or whose index record does not open) has it rebuilt by the next maintenance run.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { DueDamage } from '../../../shared/operations/index.js';
import type { RecordStore } from '../vault/store.js';
import { TOKEN_TABLE, type TokenRecord } from './import-token.js';
import { CMK_TABLE, STATE, type CmkRecord } from './keys.js';
import { rotationDue } from './rotation.js';

const TABLE = 'kms_schedule';
const ID = 'due';

export interface KmsDueIndex {
  /** key id → epoch ms of the earliest work due on it. */
  keys: Record<string, number>;
  /** import token id → epoch ms it expires. */
  tokens: Record<string, number>;
}

/** A record a maintenance pass could not open, and the code it failed with. */
export type DamagedRecord = DueDamage;

/**
 * When a key next needs maintenance, or null: deletion on its date, removal of expired imported
 * material, an automatic rotation (only while enabled). The same conditions maintenance checks.
 */
export function keyDueAt(key: CmkRecord): number | null {
  const times: number[] = [];
  if (key.key_state === STATE.pendingDeletion && key.scheduled_deletion_date !== null) times.push(key.scheduled_deletion_date);
  if (key.material_expiration && key.versions.length > 0) times.push(key.material_expiration);
  const rotation = key.key_state === STATE.enabled ? rotationDue(key) : null;
  if (rotation !== null) times.push(rotation);
  return times.length ? Math.min(...times) : null;
}

/** The index, or null when the vault has none yet or its record does not open (then rebuild it). */
export function readKmsDue(store: RecordStore): KmsDueIndex | null {
  try {
    return store.read<KmsDueIndex>(TABLE, ID) ?? null;
  } catch (e) {
    if (e instanceof KeyholdError) return null;
    throw e;
  }
}

function setEntry(store: RecordStore, kind: keyof KmsDueIndex, id: string, at: number | null): void {
  const index = readKmsDue(store);
  // No index yet: the next maintenance run builds it from the records, this write included.
  if (!index || (index[kind][id] ?? null) === at) return;
  if (at === null) delete index[kind][id];
  else index[kind][id] = at;
  store.put(TABLE, ID, index);
}

/**
 * The index as every key and token says it should be, read without writing: each record is
 * opened on its own, and one that does not open is returned as damaged and left out.
 */
export function scanKmsDue(store: RecordStore): { index: KmsDueIndex; damaged: DamagedRecord[] } {
  const index: KmsDueIndex = { keys: {}, tokens: {} };
  const damaged: DamagedRecord[] = [];
  const each = <T>(table: string, use: (record: T) => void) => {
    for (const id of store.ids(table)) {
      try {
        const record = store.read<T>(table, id);
        if (record) use(record);
      } catch (e) {
        if (!(e instanceof KeyholdError)) throw e;
        damaged.push({ table, id, code: e.code });
      }
    }
  };
  each<CmkRecord>(CMK_TABLE, (key) => {
    const at = keyDueAt(key);
    if (at !== null) index.keys[key.key_id] = at;
  });
  each<TokenRecord>(TOKEN_TABLE, (token) => (index.tokens[token.token_id] = token.expires));
  return { index, damaged };
}

/** Writes the index built from every key and token (scanKmsDue); returns the records left out. */
export function rebuildKmsDue(store: RecordStore): DamagedRecord[] {
  const { index, damaged } = scanKmsDue(store);
  store.put(TABLE, ID, index);
  return damaged;
}

/** A write transaction's store that keeps the index in step with every key and token it writes. */
export class DueIndexedStore implements RecordStore {
  constructor(private readonly inner: RecordStore) {}

  read<T>(table: string, id: string): T | undefined {
    return this.inner.read<T>(table, id);
  }

  list<T>(table: string): T[] {
    return this.inner.list<T>(table);
  }

  ids(table: string, range?: { after?: string; limit?: number }): string[] {
    return this.inner.ids(table, range);
  }

  put(table: string, id: string, value: unknown): void {
    this.inner.put(table, id, value);
    if (table === CMK_TABLE) setEntry(this.inner, 'keys', id, keyDueAt(value as CmkRecord));
    else if (table === TOKEN_TABLE) setEntry(this.inner, 'tokens', id, (value as TokenRecord).expires);
  }

  delete(table: string, id: string): void {
    this.inner.delete(table, id);
    if (table === CMK_TABLE) setEntry(this.inner, 'keys', id, null);
    else if (table === TOKEN_TABLE) setEntry(this.inner, 'tokens', id, null);
  }
}
