/**
 * Plaintexts of small sealed bodies this connection has already authenticated, so that hot
 * records (CMKs, access keys) are neither fetched nor opened again on every call.
 *
 * An entry is served only while SQLite's `data_version` is the one seen when it was made: that
 * number moves whenever another connection commits (another Keyhold process, or anyone editing
 * the file with sqlite3), and then every entry is dropped, so a record changed, swapped or
 * replayed from outside is fetched and authenticated afresh and fails with its code. Changes
 * made through this connection do not move it, so the vault drops an entry before each of its
 * own writes of that row and all of them when a transaction rolls back.
 */
const OPENED_CACHE_MAX_BODY = 4096;
const OPENED_CACHE_ENTRIES = 2048;

export class OpenedCache {
  private readonly entries = new Map<string, string>();
  private seenVersion: number | null = null;

  /** @param dataVersion reads `PRAGMA data_version` on the vault's connection. */
  constructor(private readonly dataVersion: () => number) {}

  /** Call before using entries: drops them all if another connection committed since. */
  sync(): void {
    const v = this.dataVersion();
    if (v !== this.seenVersion) {
      this.entries.clear();
      this.seenVersion = v;
    }
  }

  get(table: string, id: string): string | undefined {
    return this.entries.get(`${table}\u0000${id}`);
  }

  /** Keeps the JSON of a body just authenticated; large bodies (secret values) are never kept. */
  set(table: string, id: string, bodyBytes: number, json: string): void {
    if (bodyBytes > OPENED_CACHE_MAX_BODY) return;
    if (this.entries.size >= OPENED_CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(`${table}\u0000${id}`, json);
  }

  drop(table: string, id: string): void {
    this.entries.delete(`${table}\u0000${id}`);
  }

  clear(): void {
    this.entries.clear();
  }
}
