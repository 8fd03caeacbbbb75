/**
 * CSMS paging (reference §1, style 2): `limit` and a `marker` naming the last item of the
 * previous page. Items are loaded one by one from the page start, so a page costs its own
 * size, not the size of the whole list.
 */
import type { PageInfo } from '../../../shared/operations/csms.js';

/**
 * Walks `keys` from index `start`, keeping what `load` returns (undefined = filtered out)
 * until `limit` items are found. `next_marker` is set when keys remain after the page.
 */
export function page<T>(keys: readonly string[], start: number, limit: number, marker: string | undefined, load: (key: string) => T | undefined): { items: T[]; page_info: PageInfo } {
  const items: T[] = [];
  let i = start;
  let last: string | undefined;
  for (; i < keys.length && items.length < limit; i++) {
    const key = keys[i] as string;
    const item = load(key);
    if (item === undefined) continue;
    items.push(item);
    last = key;
  }
  return {
    items,
    page_info: {
      ...(i < keys.length && last !== undefined ? { next_marker: last } : {}),
      ...(marker === undefined ? {} : { previous_marker: marker }),
      current_count: items.length,
    },
  };
}

/** Index of the first key in sorted `keys` that comes after `marker` (binary search). */
export function indexAfter(keys: readonly string[], marker: string | undefined): number {
  if (marker === undefined) return 0;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as string) <= marker) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
