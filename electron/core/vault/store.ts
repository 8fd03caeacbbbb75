/** What services see of the vault: records by table and id, nothing about sealing or SQL. */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Vault } from './vault.js';

export interface RecordStore {
  read<T>(table: string, id: string): T | undefined;
  list<T>(table: string): T[];
  /** The ids of a table's records in ascending order, without opening any (for paging by name). */
  ids(table: string): string[];
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
    ids: (t) => vault.ids(t),
    put: refuse,
    delete: refuse,
  };
}
