import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../electron/cli/args.js';
import { Stdin } from '../../../electron/cli/stdin.js';
import { buildInput, describeFields } from '../../../electron/cli/input.js';
import { operations } from '../../../shared/operations/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/vault.js';

describe('parseArgs', () => {
  it('separates global flags, words and operation flags', () => {
    const p = parseArgs(['--vault', '/v.db', '--output', 'text', 'kms', 'create-key', '--key-alias', 'a', '--password-stdin', '--key-description=hello world']);
    expect(p.globals).toMatchObject({ vault: '/v.db', output: 'text', passwordStdin: true });
    expect(p.words).toEqual(['kms', 'create-key']);
    expect(Object.fromEntries(p.flags)).toEqual({ 'key-alias': 'a', 'key-description': 'hello world' });
  });
  it('treats a flag followed by another flag as a switch', () => {
    expect(Object.fromEntries(parseArgs(['x', 'y', '--dry-run', '--name', 'n']).flags)).toEqual({ 'dry-run': true, name: 'n' });
  });
  it('refuses a repeated option and a bad --output', () => {
    expect(() => parseArgs(['kms', 'x', '--a', '1', '--a', '2'])).toThrow(/twice/);
    expect(() => parseArgs(['--output', 'yaml'])).toThrow(/json, text, table/);
  });
});

describe('buildInput', () => {
  it('maps kebab flags to snake fields and converts JSON objects', () => {
    const flags = parseArgs(['kms', 'encrypt-data', '--key-id', 'k', '--encryption-context', '{"a":"1"}']).flags;
    expect(buildInput(operations.encryptData, flags)).toEqual({ key_id: 'k', encryption_context: { a: '1' } });
  });
  it('lets flags override --input-json and reads @file', () => {
    const f = join(tempDir(), 'body.json');
    writeFileSync(f, JSON.stringify({ key_alias: 'from-file', key_description: 'd' }));
    const flags = parseArgs(['kms', 'create-key', '--key-alias', 'from-flag']).flags;
    expect(buildInput(operations.createKey, flags, `@${f}`)).toEqual({ key_alias: 'from-flag', key_description: 'd' });
  });
  it('reads a field from a file with --<field>-file, dropping one trailing newline', () => {
    const f = join(tempDir(), 'pw');
    writeFileSync(f, 's3cret\n');
    expect(buildInput(operations.vaultChangePassword, parseArgs(['vault', 'change-password', '--new-password-file', f]).flags)).toEqual({
      new_password: 's3cret',
    });
  });
  it('names an unknown option and lists the known ones', () => {
    expect(() => buildInput(operations.createKey, parseArgs(['kms', 'create-key', '--alias', 'x']).flags)).toThrow(/--alias.*--key-alias/);
  });
  it('converts numbers and refuses non-numbers', () => {
    expect(buildInput(operations.auditListEvents, parseArgs(['audit', 'list-events', '--limit', '5']).flags)).toEqual({ limit: 5 });
    expect(() => buildInput(operations.auditListEvents, parseArgs(['audit', 'list-events', '--limit', 'five']).flags)).toThrow(/number/);
  });
  it('describes fields with their flags and whether they are required', () => {
    expect(describeFields(operations.createKey)).toContainEqual({ name: 'key_alias', flag: '--key-alias', type: 'string', required: true });
    expect(describeFields(operations.createKey).find((f) => f.name === 'key_spec')?.required).toBe(false);
  });
});

describe('global options', () => {
  it('names an unknown option before the first word instead of eating the word', () => {
    expect(() => parseArgs(['--bogus', 'kms', 'list-keys'])).toThrow('Unknown global option --bogus');
    expect(parseArgs(['kms', 'list-keys', '--query', 'keys', '--output', 'table', '--version']).globals).toMatchObject({
      query: 'keys',
      output: 'table',
      version: true,
    });
    expect(parseArgs(['kms', '-h']).globals.help).toBe(true);
  });
});

describe('parseArgs and buildInput on any command line', () => {
  it('return a value or a KeyholdError, never anything else', async () => {
    const fc = (await import('fast-check')).default;
    const { KeyholdError } = await import('../../../shared/errors.js');
    const word = fc.oneof(
      fc.constantFrom('--output', '--query', '--vault', '--key-alias', '--key-alias-file', '--limit', '--input-json', '-h', '--', '-', 'kms', '--=x', '--a=b'),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        try {
          const parsed = parseArgs(argv);
          // stdin is a fixed text here: a generated `-` must never wait on the test runner's stdin.
          buildInput(operations.createKey, parsed.flags, parsed.inputJson?.startsWith('@') ? undefined : parsed.inputJson, new Stdin(() => Buffer.from('x')));
        } catch (e) {
          if (!(e instanceof KeyholdError)) throw e;
        }
      }),
    );
  });
});
