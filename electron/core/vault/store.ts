/** What services see of the vault: records by table and id, nothing about sealing or SQL. */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Vault } from './vault.js';

export interface RecordStore {
  read<T>(table: string, id: string): T | undefined;
  list<T>(table: string): T[];
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
    put: refuse,
    delete: refuse,
  };
}
