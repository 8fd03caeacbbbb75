/**
 * Search, filter, sort and paging over a list a screen already holds (keys, secrets, key pairs):
 * one place for the rule every list follows, so 1,000 keys stay a page of 50 on screen. A change
 * of the search text, a filter or the sort goes back to the first page; a page past the end (the list
 * shrank) shows the last one.
 */

export type SortDirection = 'asc' | 'desc';

export interface ListSpec<T> {
  /** The texts a search looks in (case-insensitive, every word must occur in one of them). */
  searchable: (item: T) => readonly string[];
  /** Values to sort by, by column name. */
  sortBy: Readonly<Record<string, (item: T) => string | number>>;
  /** Values to filter on, by filter name; a filter set to '' lets everything through. */
  filterBy?: Readonly<Record<string, (item: T) => string>>;
  defaultSort: string;
  pageSize?: number;
}

export class ListView<T> {
  #text = $state('');
  #filters = $state<Record<string, string>>({});
  #page = $state(0);
  sortKey = $state('');
  direction = $state<SortDirection>('asc');
  readonly pageSize: number;

  constructor(
    private readonly source: () => readonly T[],
    private readonly spec: ListSpec<T>,
  ) {
    this.sortKey = spec.defaultSort;
    this.pageSize = spec.pageSize ?? 50;
  }

  get text(): string {
    return this.#text;
  }

  set text(value: string) {
    this.#text = value;
    this.#page = 0;
  }

  filter(name: string): string {
    return this.#filters[name] ?? '';
  }

  setFilter(name: string, value: string): void {
    this.#filters = { ...this.#filters, [name]: value };
    this.#page = 0;
  }

  /** A click on a column: sort by it, or turn the direction round when it is already the key; back to the first page. */
  sortOn(key: string): void {
    if (this.sortKey === key) this.direction = this.direction === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.direction = 'asc';
    }
    this.#page = 0;
  }

  readonly matching: T[] = $derived.by(() => {
    const words = this.#text.toLowerCase().split(/\s+/).filter(Boolean);
    const filters = Object.entries(this.#filters).filter(([, v]) => v !== '');
    const found = this.source().filter((item) => {
      for (const [name, wanted] of filters) if (this.spec.filterBy?.[name]?.(item) !== wanted) return false;
      if (words.length === 0) return true;
      const texts = this.spec.searchable(item).map((t) => t.toLowerCase());
      return words.every((w) => texts.some((t) => t.includes(w)));
    });
    const by = this.spec.sortBy[this.sortKey] ?? this.spec.sortBy[this.spec.defaultSort];
    if (!by) return found;
    const sign = this.direction === 'asc' ? 1 : -1;
    return found.sort((a, b) => {
      const x = by(a);
      const y = by(b);
      return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
    });
  });

  get pageCount(): number {
    return Math.max(1, Math.ceil(this.matching.length / this.pageSize));
  }

  get page(): number {
    return Math.min(this.#page, this.pageCount - 1);
  }

  set page(n: number) {
    this.#page = Math.max(0, Math.min(n, this.pageCount - 1));
  }

  get visible(): T[] {
    const start = this.page * this.pageSize;
    return this.matching.slice(start, start + this.pageSize);
  }

  /** "51–100 of 1000", or "0 of 1000" when nothing matches. */
  get range(): string {
    const total = this.matching.length;
    if (total === 0) return `0 of ${this.source().length}`;
    const start = this.page * this.pageSize;
    return `${start + 1}–${Math.min(start + this.pageSize, total)} of ${total}`;
  }
}
