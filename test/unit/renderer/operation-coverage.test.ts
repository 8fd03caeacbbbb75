// Every operation of the registry has a place in the desktop app, or is on the one deliberate
// CLI-only list (shared/ui/cli-only.ts) with its reason, mirrored in docs/desktop.md. A new
// operation without a screen fails here until a screen calls it or it is listed; a listed
// operation that a screen calls after all fails too, so the list cannot go stale.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operations, type OperationKey } from '../../../shared/operations/index.js';
import { CLI_ONLY } from '../../../shared/ui/cli-only.js';
import { SESSION_OPS } from '../../../shared/ui/contract.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const RENDERER = join(ROOT, 'renderer/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(path);
    return /\.(ts|svelte)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The operation names in the first argument of every `.call(` of the renderer's own code. */
function calledOperations(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\.call\(([^,)]*)[,)]/g)) {
    for (const q of (m[1] ?? '').matchAll(/'([A-Za-z][\w.-]*)'/g)) names.push(q[1] as string);
  }
  return names;
}

const called = new Set(sources(RENDERER).flatMap((f) => calledOperations(readFileSync(f, 'utf8'))));
const keys = Object.keys(operations) as OperationKey[];
const cliName = (k: OperationKey) => `${operations[k].service} ${operations[k].name}`;

describe('every operation has a screen or a deliberate CLI-only entry', () => {
  it('finds calls, ternaries included, and nothing in comments without a call', () => {
    expect(calledOperations("await this.client.call(on ? 'enableKeyStore' : 'disableKeyStore', { id })")).toEqual(['enableKeyStore', 'disableKeyStore']);
    expect(calledOperations("client.call('listKeys', {}); // listAliases")).toEqual(['listKeys']);
  });

  it('the renderer calls only operations that exist', () => {
    const known = new Set<string>([...keys, ...SESSION_OPS]);
    expect([...called].filter((n) => !known.has(n))).toEqual([]);
  });

  it('each operation is called by a screen or listed, never both', () => {
    const neither = keys.filter((k) => !called.has(k) && CLI_ONLY[k] === undefined).map(cliName);
    const both = keys.filter((k) => called.has(k) && CLI_ONLY[k] !== undefined).map(cliName);
    // Give an operation without a screen a screen, or an entry with its reason in shared/ui/cli-only.ts.
    expect(neither).toEqual([]);
    // A screen calls a listed operation: delete its entry (and its row in docs/desktop.md).
    expect(both).toEqual([]);
  });

  it('the list stays short', () => {
    expect(Object.keys(CLI_ONLY).length).toBeLessThanOrEqual(12);
    for (const reason of Object.values(CLI_ONLY)) expect(reason.length).toBeGreaterThan(20);
  });

  it('docs/desktop.md mirrors the list, operation by operation with the same reason', () => {
    const doc = readFileSync(join(ROOT, 'docs/desktop.md'), 'utf8');
    const section = doc.split(/^## /m).find((s) => s.startsWith('Deliberately CLI-only'));
    expect(section, 'docs/desktop.md needs a "## Deliberately CLI-only" section').toBeDefined();
    const rows = [...(section as string).matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)].map((m): [string, string] => [m[1] ?? '', (m[2] ?? '').trim()]);
    const listed = (Object.entries(CLI_ONLY) as [OperationKey, string][]).map(([k, why]): [string, string] => [cliName(k), why]);
    expect(new Map(rows)).toEqual(new Map(listed));
  });
});
