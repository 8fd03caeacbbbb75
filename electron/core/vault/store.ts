/** What services see of the vault: records by table and id, nothing about sealing or SQL. */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Vault } from './vault.js';

export interface IdRange {
  after?: string;
  limit?: number;
}

export interface RecordStore {
  read<T>(table: string, id: string): T | undefined;
  list<T>(table: string): T[];
  /**
   * Ids of a table's records in ascending order, without opening any (for paging by name):
   * all of them, or the first `limit` that sort after `after`.
   */
  ids(table: string, range?: IdRange): string[];
  put(table: string, id: string, value: unknown): void;
  delete(table: string, id: string): void;
}

/** The store a read-only operation gets: a write through it is a declaration mistake. */
export function readOnlyStore(vault: Vault, operation: string): RecordStore {
  const refuse = (): never => {
    throw new KeyholdError(LocalErrors.Internal, `Operation ${operation} is declared read-only but tried to write.`, 500);
  };
  return {
    read: (t, id) => vault.read(t, id),
    list: (t) => vault.list(t),
    ids: (t, range) => vault.ids(t, range),
    put: refuse,
    delete: refuse,
  };
}
