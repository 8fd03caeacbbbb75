// Standard input has one reader per call; every spelling of it counts.
import { describe, expect, it } from 'vitest';
import { buildInput } from '../../../electron/cli/input.js';
import { parseArgs } from '../../../electron/cli/args.js';
import { Stdin } from '../../../electron/cli/stdin.js';
import { operations } from '../../../shared/operations/index.js';

describe('Stdin', () => {
  it('reads once, dropping one trailing newline, and refuses a second reader naming both', () => {
    const stdin = new Stdin(() => Buffer.from('value\n'));
    expect(stdin.text('--secret-string-file -')).toBe('value');
    expect(() => stdin.text('--password-stdin')).toThrow('Standard input is used twice: by --secret-string-file - and by --password-stdin.');
  });

  it('knows stdin by its names', () => {
    for (const p of ['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']) expect(Stdin.names(p)).toBe(true);
    expect(Stdin.names('/etc/hostname')).toBe(false);
  });

  it('feeds `--x-file -` and `--input-json @-` through one reader', () => {
    const stdin = new Stdin(() => Buffer.from('{"key_alias":"k"}'));
    expect(buildInput(operations.createKey, parseArgs(['kms', 'create-key']).flags, '@-', stdin)).toEqual({ key_alias: 'k' });
    const again = new Stdin(() => Buffer.from('{}'));
    expect(() => buildInput(operations.createKey, parseArgs(['kms', 'create-key', '--key-alias-file', '-']).flags, '@-', again)).toThrow(/used twice/);
  });
});
