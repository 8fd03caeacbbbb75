// Help generated from the registry: every operation, every field described; limits from the schema.
import { describe, expect, it } from 'vitest';
import { operationHelp, serviceHelp } from '../../../electron/cli/help.js';
import { COMMANDS } from '../../../electron/cli/commands.js';
import { documentedFields } from '../../../electron/cli/field-docs.js';
import { findOperation, listOperations, services } from '../../../electron/core/api/index.js';

describe('operation help', () => {
  it('says where an operation is offered when HTTP is not among the places', () => {
    // No operation today keeps off HTTP by its reach alone (access keys reach web mode with the password again); a narrowed one says so.
    expect(operationHelp({ ...findOperation('iam', 'create-access-key')!.decl, reach: ['cli', 'ipc'] })).toContain(
      'Offered only in the CLI and the desktop app.',
    );
    expect(operationHelp(findOperation('iam', 'create-access-key')!.decl)).not.toContain('Offered only');
    expect(operationHelp(findOperation('vault', 'backup')!.decl)).toContain('Reads or writes local files: not offered over HTTP or with --remote.');
    expect(operationHelp(findOperation('kms', 'create-key')!.decl)).not.toContain('Offered only');
  });

  it('describes every field of every operation', () => {
    const undescribed: string[] = [];
    for (const { decl } of listOperations()) {
      const lines = operationHelp(decl).split('\n');
      lines.forEach((line, i) => {
        if (!/^ {2}--/.test(line)) return;
        const next = lines[i + 1] ?? '';
        if (!/^ {6}\S/.test(next) || /^ {6}(Allowed|Default|Limits|Example):/.test(next)) undescribed.push(`${decl.service} ${decl.name} ${line.trim()}`);
      });
    }
    expect(undescribed).toEqual([]);
  });

  it('documents only fields that exist (service.field or field)', () => {
    const fields = new Set(listOperations().flatMap(({ decl }) => Object.keys(decl.input.shape).flatMap((f) => [f, `${decl.service}.${f}`])));
    expect(documentedFields().filter((k) => !fields.has(k))).toEqual([]);
  });

  it('gives a runnable example with every required field', () => {
    for (const { decl } of listOperations()) {
      const example = /\nExample:\n {2}(.*)\n/.exec(operationHelp(decl))?.[1] ?? '';
      expect(example.startsWith(`keyhold ${decl.service} ${decl.name}`), `${decl.service} ${decl.name}`).toBe(true);
      for (const [field, schema] of Object.entries(decl.input.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)) {
        if (!schema.safeParse(undefined).success) expect(example, `${decl.service} ${decl.name}`).toContain(`--${field.replace(/_/g, '-')}`);
      }
    }
  });

  it("lists each service's operations and nothing else", () => {
    for (const s of services()) {
      const text = serviceHelp(s, COMMANDS);
      for (const { decl } of listOperations()) {
        if (decl.service === s) expect(text).toContain(`  ${decl.name} `);
      }
    }
  });
});
