/**
 * Renders a result as `--output` asks, after `--query` has selected from it:
 * - json (default): what scripts parse.
 * - text: the AWS CLI's layout for shell pipes: tab-separated scalars, one row per object or
 *   inner list in a list (a list of scalars is one row); a nested list's rows start with its key
 *   in capitals; values are escaped (`\t`, `\n`, `\\`
 *   …) so a stored multi-line value stays on its row and cannot fake rows of its own.
 * - table: the same rows aligned in columns under a header, for people.
 */
import { compile, search, type JSONValue } from '@jmespath-community/jmespath';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import type { OutputFormat } from './args.js';

type Scalar = string | number | boolean | null;

function bad(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.BadArgument, message, 400);
}

/** Checks a --query expression before the operation runs, so a typo never follows a change. */
export function checkQuery(expression: string): void {
  try {
    compile(expression);
  } catch (e) {
    throw bad(`Invalid --query ${JSON.stringify(expression)}: ${(e as Error).message}.`);
  }
}

export function applyQuery(value: unknown, expression: string | undefined): unknown {
  if (expression === undefined) return value;
  try {
    return search(value as JSONValue, expression);
  } catch (e) {
    throw bad(`--query ${JSON.stringify(expression)} failed on this result: ${(e as Error).message}.`);
  }
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v !== 'object';
}

/** One value on one line: control characters, line separators and the backslash escaped; null as AWS's None. */
export function escapeValue(v: Scalar): string {
  if (v === null) return 'None';
  return String(v).replace(/[\\\p{Cc}\p{Zl}\p{Zp}]/gu, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\t':
        return '\\t';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      default:
        return c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** The AWS CLI's text rows: `ident` (a nested list's key in capitals) leads the rows under it. */
function textRows(value: unknown, ident: string | undefined, rows: string[][]): void {
  const lead = ident === undefined ? [] : [ident.toUpperCase()];
  if (isScalar(value)) {
    rows.push([...lead, escapeValue(value)]);
  } else if (Array.isArray(value) && value.length && value.every(isScalar)) {
    rows.push([...lead, ...value.map(escapeValue)]); // as the AWS CLI: a list of scalars is one row
  } else if (Array.isArray(value)) {
    for (const item of value) {
      if (Array.isArray(item) && item.every(isScalar)) rows.push([...lead, ...item.map(escapeValue)]);
      else textRows(item, ident, rows);
    }
  } else {
    const entries = Object.entries(value as Record<string, unknown>);
    const scalars = entries.filter(([, v]) => isScalar(v)).map(([, v]) => escapeValue(v as Scalar));
    if (scalars.length) rows.push([...lead, ...scalars]);
    for (const [k, v] of entries) if (!isScalar(v)) textRows(v, k, rows);
  }
}

function align(title: string | undefined, header: string[] | undefined, rows: string[][]): string[] {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (title) out.push(title);
  if (header) out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) out.push(line(row));
  return out;
}

/** A nested value in a table cell: scalars as text, structures by their size. */
function cell(v: unknown): string {
  if (isScalar(v)) return escapeValue(v);
  return Array.isArray(v) ? `[${v.length} items]` : `{${Object.keys(v as object).length} fields}`;
}

function tableBlocks(value: unknown, title: string | undefined, out: string[][]): void {
  if (isScalar(value)) {
    out.push(align(title, undefined, [[escapeValue(value)]]));
  } else if (Array.isArray(value)) {
    if (value.length && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      const columns = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
      out.push(
        align(
          title,
          columns,
          value.map((v) => columns.map((c) => (c in (v as object) ? cell((v as Record<string, unknown>)[c]) : ''))),
        ),
      );
    } else {
      out.push(
        align(
          title,
          undefined,
          value.map((v) => (Array.isArray(v) ? v.map(cell) : [cell(v)])),
        ),
      );
    }
  } else {
    const entries = Object.entries(value as Record<string, unknown>);
    const scalars = entries.filter(([, v]) => isScalar(v));
    if (scalars.length)
      out.push(
        align(
          title,
          undefined,
          scalars.map(([k, v]) => [k, escapeValue(v as Scalar)]),
        ),
      );
    for (const [k, v] of entries) if (!isScalar(v)) tableBlocks(v, title ? `${title}.${k}` : k, out);
  }
}

export function formatOutput(value: unknown, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  if (format === 'text') {
    const rows: string[][] = [];
    textRows(value, undefined, rows);
    return rows.map((r) => `${r.join('\t')}\n`).join('');
  }
  const blocks: string[][] = [];
  tableBlocks(value, undefined, blocks);
  return blocks.map((b) => `${b.join('\n')}\n`).join('\n');
}
