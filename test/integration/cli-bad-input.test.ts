// Bad input through the CLI: exit 2, a JSON error on stderr naming the problem, and no record
// in the vault changed (failed attempts may add audit entries; records stay byte for byte).
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, initVault } from '../helpers/vault.js';

function records(vault: string): string {
  const db = new Database(vault, { readonly: true });
  try {
    return JSON.stringify(db.prepare('SELECT tbl, id, rev, hex(body) AS body FROM records ORDER BY tbl, id').all());
  } finally {
    db.close();
  }
}

let vault: string;
let keyId: string;
let disabledId: string;

beforeAll(() => {
  vault = initVault();
  keyId = (cli(vault, ['kms', 'create-key', '--key-alias', 'live']).json as { key_info: { key_id: string } }).key_info.key_id;
  disabledId = (cli(vault, ['kms', 'create-key', '--key-alias', 'off']).json as { key_info: { key_id: string } }).key_info.key_id;
  expect(cli(vault, ['kms', 'disable-key', '--key-id', disabledId]).status).toBe(0);
});

const cases: [string, () => string[], string, RegExp, object?][] = [
  ['a missing required field', () => ['kms', 'create-key'], 'KMS.0204', /key_alias/],
  ['an ill-typed field', () => ['kms', 'list-keys', '--limit', 'ten'], 'KMS.1601', /limit/],
  ['an invalid alias', () => ['kms', 'create-key', '--key-alias', 'no spaces allowed'], 'KMS.1101', /key_alias/],
  ['a malformed key id', () => ['kms', 'describe-key', '--key-id', 'not-a-key'], 'KMS.0205', /key_id/],
  ['an unknown key id', () => ['kms', 'describe-key', '--key-id', '00000000-0000-4000-8000-000000000000'], 'KMS.0207', /00000000-0000-4000-8000-000000000000/],
  ['a duplicate alias', () => ['kms', 'create-key', '--key-alias', 'live'], 'KMS.1104', /live/],
  ['enabling an enabled key', () => ['kms', 'enable-key', '--key-id', keyId], 'KMS.1201', /not disabled/],
  ['encrypting with a disabled key', () => ['kms', 'encrypt-data', '--key-id', disabledId, '--plain-text', 'x'], 'KMS.0209', /disabled/],
  ['a tampered ciphertext', () => ['kms', 'decrypt-data', '--cipher-text', 'A'.repeat(128)], 'KMS.2201', /cipher_text/],
  ['an unknown option', () => ['kms', 'create-key', '--key-alais', 'x'], 'CLI.0002', /--key-alais/],
  ['an unknown operation', () => ['kms', 'frobnicate'], 'CLI.0001', /frobnicate/],
  ['a wrong password', () => ['kms', 'list-keys'], 'VAULT.0101', /password/i, { password: 'wrong' }],
];

describe('bad input through the CLI', () => {
  for (const [what, args, code, message, opts] of cases) {
    it(`${what} → exit 2, ${code}, nothing changed`, () => {
      const before = records(vault);
      const r = cli(vault, args(), opts);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.error?.error_code).toBe(code);
      expect(r.error?.error_msg).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
      expect(records(vault)).toBe(before);
    });
  }
  it('nests KMS errors under "error" and keeps local errors flat', () => {
    expect(JSON.parse(cli(vault, ['kms', 'create-key']).stderr)).toHaveProperty('error.error_code', 'KMS.0204');
    expect(JSON.parse(cli(vault, ['kms', 'frobnicate']).stderr)).toHaveProperty('error_code', 'CLI.0001');
  });
});
