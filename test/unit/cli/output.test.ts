// --output text/table and --query: the AWS CLI's layout, and no value can break out of its row.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyQuery, checkQuery, escapeValue, formatOutput } from '../../../electron/cli/output.js';

describe('text output', () => {
  it('prints a list of objects one row per item, nested lists under their key in capitals', () => {
    const value = {
      total: 2,
      keys: ['a', 'b'],
      key_details: [
        { key_id: 'a', key_state: '2', tags: [] },
        { key_id: 'b', key_state: '3', tags: [] },
      ],
    };
    expect(formatOutput(value, 'text')).toBe('2\nKEYS\ta\tb\nKEY_DETAILS\ta\t2\nKEY_DETAILS\tb\t3\n');
    expect(formatOutput(['x', 'y'], 'text')).toBe('x\ty\n');
  });

  it('prints a list of lists (a multiselect query) as rows of columns, null as None', () => {
    expect(
      formatOutput(
        [
          ['a', 1, null],
          ['b', 2, true],
        ],
        'text',
      ),
    ).toBe('a\t1\tNone\nb\t2\ttrue\n');
  });

  it('escapes every character that could end a row or a column', () => {
    expect(escapeValue('a\tb\nc\rd\\e\u0000f\u2028g\u009b')).toBe('a\\tb\\nc\\rd\\\\e\\x00f\\u2028g\\x9b');
  });

  it('never lets a value add a row or a column (any string, any nesting)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (values) => {
        const text = formatOutput(
          values.map((v) => ({ name: 'n', value: v })),
          'text',
        );
        const rows = text.split('\n');
        expect(rows.pop()).toBe('');
        expect(rows).toHaveLength(values.length);
        for (const row of rows) expect(row.split('\t')).toHaveLength(2);
      }),
    );
  });
});

describe('table output', () => {
  it('aligns a list of objects under a header and sizes nested values', () => {
    expect(
      formatOutput(
        [
          { alias: 'a', id: '1', tags: [1, 2] },
          { alias: 'longer', id: '22', tags: [] },
        ],
        'table',
      ),
    ).toBe(['alias   id  tags', '------  --  ---------', 'a       1   [2 items]', 'longer  22  [0 items]', ''].join('\n'));
  });

  it('shows an object as key/value lines, then each nested part under its path', () => {
    expect(formatOutput({ name: 'x', meta: { id: 'v1' } }, 'table')).toBe('name  x\n\nmeta\nid  v1\n');
  });
});

describe('--query', () => {
  it('applies JMESPath before output', () => {
    expect(applyQuery({ a: [{ b: 1 }, { b: 2 }] }, 'a[].b')).toEqual([1, 2]);
    expect(applyQuery({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('refuses a malformed expression by name before anything runs', () => {
    expect(() => checkQuery('a[')).toThrow(/Invalid --query "a\["/);
    expect(() => checkQuery('a[?b == `1`].c')).not.toThrow();
  });
});
