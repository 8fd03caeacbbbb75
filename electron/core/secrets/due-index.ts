/**
 * The index of work that comes due with time: auto-rotations, version expiries and scheduled
 * deletions. One small record, so opening the vault finds due work without reading every
 * secret. Keys are secret names (rotation, deletion) or `name/vN` (expiry); values epoch ms.
 */
import type { RecordStore } from '../vault/store.js';

const TABLE = 'csms_schedule';
const ID = 'due';

export type DueKind = 'rotation' | 'expiry' | 'deletion';
export type DueIndex = Record<DueKind, Record<string, number>>;

export function readDue(store: RecordStore): DueIndex {
  return store.read<DueIndex>(TABLE, ID) ?? { rotation: {}, expiry: {}, deletion: {} };
}

/** Sets (or with `at` null, clears) one entry; writes only when something changed. */
export function setDue(store: RecordStore, kind: DueKind, key: string, at: number | null): void {
  const index = readDue(store);
  if ((index[kind][key] ?? null) === at) return;
  if (at === null) delete index[kind][key];
  else index[kind][key] = at;
  store.put(TABLE, ID, index);
}

/** Drops every entry of a secret that no longer exists. */
export function forgetSecret(store: RecordStore, name: string): void {
  const index = readDue(store);
  const before = JSON.stringify(index);
  delete index.rotation[name];
  delete index.deletion[name];
  for (const key of Object.keys(index.expiry)) if (key.startsWith(`${name}/`)) delete index.expiry[key];
  if (JSON.stringify(index) !== before) store.put(TABLE, ID, index);
}
