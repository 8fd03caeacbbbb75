import { describe, expect, it } from 'vitest';
import type { KeyDetails } from '../../../shared/operations/index.js';
import { scripted } from '../testing/fake-transport.js';
import { KeysManager } from './keys.svelte.js';
import { ListView } from './list-view.svelte.js';

interface Item {
  name: string;
  kind: string;
  n: number;
}

const items: Item[] = Array.from({ length: 120 }, (_, i) => ({ name: `item-${String(i).padStart(3, '0')}`, kind: i % 3 === 0 ? 'a' : 'b', n: 120 - i }));

function view(source: Item[] = items) {
  return new ListView<Item>(() => source, {
    searchable: (x) => [x.name],
    sortBy: { name: (x) => x.name, n: (x) => x.n },
    filterBy: { kind: (x) => x.kind },
    defaultSort: 'name',
    pageSize: 50,
  });
}

describe('ListView', () => {
  it('pages the list and says where the page is', () => {
    const v = view();
    expect(v.visible.map((x) => x.name).slice(0, 2)).toEqual(['item-000', 'item-001']);
    expect(v.range).toBe('1–50 of 120');
    expect(v.pageCount).toBe(3);
    v.page = 2;
    expect(v.visible).toHaveLength(20);
    expect(v.range).toBe('101–120 of 120');
    v.page = 99;
    expect(v.page).toBe(2);
  });

  it('searches case-insensitively with every word, and goes back to the first page', () => {
    const v = view();
    v.page = 2;
    v.text = 'ITEM 11';
    expect(v.page).toBe(0);
    expect(v.matching.map((x) => x.name)).toEqual(['item-011', ...Array.from({ length: 10 }, (_, i) => `item-11${i}`)]);
    v.text = 'nothing-like-this';
    expect(v.visible).toEqual([]);
    expect(v.range).toBe('0 of 120');
  });

  it('filters, and an empty filter lets everything through', () => {
    const v = view();
    v.setFilter('kind', 'a');
    expect(v.matching).toHaveLength(40);
    expect(v.matching.every((x) => x.kind === 'a')).toBe(true);
    v.setFilter('kind', '');
    expect(v.matching).toHaveLength(120);
  });

  it('sorts numbers as numbers and turns the direction round on a second click', () => {
    const v = view();
    v.page = 1;
    v.sortOn('n');
    expect(v.page).toBe(0);
    expect(v.matching.slice(0, 3).map((x) => x.n)).toEqual([1, 2, 3]);
    v.sortOn('n');
    expect(v.direction).toBe('desc');
    expect(v.matching.slice(0, 3).map((x) => x.n)).toEqual([120, 119, 118]);
    v.sortOn('name');
    expect(v.direction).toBe('asc');
  });

  it('shows the last page when the list shrinks under the page it was on (the keys list reloads)', () => {
    const { client } = scripted({});
    const m = new KeysManager(client);
    const k = (i: number) =>
      ({ key_id: `k${i}`, key_alias: `a${String(i).padStart(3, '0')}`, key_state: '2', key_spec: 'AES_256', default_key_flag: '0' }) as unknown as KeyDetails;
    m.keys = Array.from({ length: 120 }, (_, i) => k(i));
    m.view.page = 2;
    expect(m.view.range).toBe('101–120 of 120');
    m.keys = m.keys.slice(0, 60);
    expect(m.view.page).toBe(1);
    expect(m.view.visible).toHaveLength(10);
  });
});
