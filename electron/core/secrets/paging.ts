/**
 * CSMS paging (reference §1, style 2): `limit` and a `marker` naming the last item of the
 * previous page. Keys are fetched in chunks after the marker and items loaded one by one, so
 * a page costs its own size, not the size of the whole list.
 */
import type { PageInfo } from '../../../shared/operations/csms.js';

/** Up to `n` keys that come after `after` (all keys from the start when it is undefined). */
export type KeysAfter = (after: string | undefined, n: number) => string[];

/**
 * Walks the keys after `marker`, keeping what `load` returns (undefined = filtered out)
 * until `limit` items are found. `next_marker` is set when keys remain after the page.
 */
export function page<T>(
  keysAfter: KeysAfter,
  marker: string | undefined,
  limit: number,
  load: (key: string) => T | undefined,
): { items: T[]; page_info: PageInfo } {
  const items: T[] = [];
  let after = marker;
  let last: string | undefined;
  let more = false;
  for (;;) {
    const keys = keysAfter(after, limit + 1);
    for (const key of keys) {
      if (items.length === limit) {
        more = true;
        break;
      }
      after = key;
      const item = load(key);
      if (item === undefined) continue;
      items.push(item);
      last = key;
    }
    if (more || keys.length < limit + 1) break;
  }
  return {
    items,
    page_info: {
      ...(more && last !== undefined ? { next_marker: last } : {}),
      ...(marker === undefined ? {} : { previous_marker: marker }),
      current_count: items.length,
    },
  };
}
