/**
 * Journey 3: Windows password blobs made at test time by openssl exactly as Cloudbase-Init
 * makes them (RSA, PKCS#1 v1.5 padding, base64), decrypted by `kps windows-password` with key
 * files in several formats and with a hosted key pair; and each failure with its own error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mustTool, passFile } from '../helpers/keytools.js';
import { cli, initVault, tempDir } from '../helpers/vault.js';

const PASS = 'key pass';
const PASSWORD = 'Pässw0rd!€ with spaces';
const dir = tempDir('keyhold-winpw-');
const pf = passFile(dir, 'pass', PASS);
const wrongPf = passFile(dir, 'wrong', 'Tr0ub4dor&3');
const emptyPf = passFile(dir, 'empty', '');
let vault: string;
const files: Record<string, string> = {};
let blob: string;
let otherBlob: string;
let oaepBlob: string;

function encryptFor(pubPem: string, padding: 'pkcs1' | 'oaep', message = PASSWORD): string {
  const pub = join(dir, `pub-${process.hrtime.bigint()}.pem`);
  const msg = join(dir, `msg-${process.hrtime.bigint()}`);
  writeFileSync(pub, pubPem);
  writeFileSync(msg, message);
  const ct = join(dir, `ct-${process.hrtime.bigint()}`);
  mustTool('openssl', ['pkeyutl', '-encrypt', '-pubin', '-inkey', pub, '-in', msg, '-out', ct, '-pkeyopt', `rsa_padding_mode:${padding}`]);
  return readFileSync(ct).toString('base64');
}

beforeAll(() => {
  vault = initVault();
  const base = join(dir, 'rsa');
  mustTool('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-N', PASS, '-C', 'win', '-f', base]);
  files.openssh = base;
  files.pem = join(dir, 'rsa.pem');
  writeFileSync(files.pem, readFileSync(base), { mode: 0o600 });
  mustTool('ssh-keygen', ['-p', '-P', PASS, '-N', PASS, '-m', 'PEM', '-f', files.pem]);
  files.pkcs8 = join(dir, 'rsa.p8');
  writeFileSync(files.pkcs8, readFileSync(base), { mode: 0o600 });
  mustTool('ssh-keygen', ['-p', '-P', PASS, '-N', PASS, '-m', 'PKCS8', '-f', files.pkcs8]);
  files.ppk3 = join(dir, 'rsa.ppk');
  mustTool('puttygen', [base, '--old-passphrase', pf, '-P', '--new-passphrase', pf, '-O', 'private', '-o', files.ppk3]);
  files.ppk2 = join(dir, 'rsa2.ppk');
  mustTool('puttygen', [base, '--old-passphrase', pf, '-P', '--new-passphrase', pf, '--ppk-param', 'version=2', '-O', 'private', '-o', files.ppk2]);
  const pubPem = mustTool('openssl', ['pkey', '-in', files.pem, '-passin', `file:${pf}`, '-pubout']);
  blob = encryptFor(pubPem, 'pkcs1');
  oaepBlob = encryptFor(pubPem, 'oaep');
  const other = join(dir, 'other');
  mustTool('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-N', '', '-m', 'PEM', '-f', other]);
  otherBlob = encryptFor(mustTool('openssl', ['pkey', '-in', other, '-pubout']), 'pkcs1');
  files.ed25519 = join(dir, 'ed');
  mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', files.ed25519]);
});

describe('kps windows-password', () => {
  it.each(['openssh', 'pem', 'pkcs8', 'ppk3', 'ppk2'])('decrypts an openssl PKCS#1 v1.5 blob with a %s key file and its passphrase', (format) => {
    const r = cli(vault, ['kps', 'windows-password', '--password-blob', blob, '--private-key', files[format] as string, '--passphrase-file', pf]);
    expect(r.stderr).toBe('');
    expect(r.json).toEqual({ password: PASSWORD });
  });

  it('decrypts with a hosted key pair', () => {
    const pem = readFileSync(files.pem as string, 'utf8');
    const input = { keypair: { name: 'win', key_protection: { private_key: pem, encryption: { type: 'default' } } } };
    // The cloud takes an unencrypted private key; Keyhold's passphrase extension is on import-private-key only.
    const plain = join(dir, 'plain.pem');
    writeFileSync(plain, pem, { mode: 0o600 });
    mustTool('ssh-keygen', ['-p', '-P', PASS, '-N', '', '-m', 'PEM', '-f', plain]);
    input.keypair.key_protection.private_key = readFileSync(plain, 'utf8');
    const created = cli(vault, ['kps', 'create-keypair', '--input-json', JSON.stringify(input)]);
    expect(created.status).toBe(0);
    expect((created.json as { keypair: Record<string, unknown> }).keypair.private_key).toBeUndefined();
    const r = cli(vault, ['kps', 'windows-password', '--password-blob', blob, '--keypair-name', 'win']);
    expect(r.json).toEqual({ password: PASSWORD });
    const events = cli(vault, ['audit', 'list-events', '--limit', '5']);
    expect(events.stdout).not.toContain(PASSWORD);
    expect(events.stdout).not.toContain(blob.slice(0, 40));
  });

  it('refuses a key that is not RSA (KPS.2001)', () => {
    const r = cli(vault, ['kps', 'windows-password', '--password-blob', blob, '--private-key', files.ed25519 as string]);
    expect(r.status).toBe(2);
    expect(r.error?.error_code).toBe('KPS.2001');
  });

  it('says when the blob was not encrypted for this key (KPS.2002): another key, or OAEP', () => {
    for (const b of [otherBlob, oaepBlob]) {
      const r = cli(vault, ['kps', 'windows-password', '--password-blob', b, '--private-key', files.pem as string, '--passphrase-file', pf]);
      expect(r.status).toBe(2);
      expect(r.error?.error_code).toBe('KPS.2002');
      expect(r.stdout).toBe('');
    }
  });

  it('says when the blob is not base64 (KPS.2003)', () => {
    for (const b of ['not base64!', `${blob.slice(0, -3)}`]) {
      const r = cli(vault, ['kps', 'windows-password', '--password-blob', b, '--private-key', files.pem as string, '--passphrase-file', pf]);
      expect(r.error?.error_code).toBe('KPS.2003');
    }
  });

  it('says when the passphrase is wrong (KPS.1003) or missing (KPS.1002), and never echoes it', () => {
    for (const f of ['openssh', 'pem', 'pkcs8', 'ppk3']) {
      const r = cli(vault, ['kps', 'windows-password', '--password-blob', blob, '--private-key', files[f] as string, '--passphrase-file', wrongPf]);
      expect(r.error?.error_code, f).toBe('KPS.1003');
      expect(r.stderr).not.toContain('Tr0ub4dor');
      const none = cli(vault, ['kps', 'windows-password', '--password-blob', blob, '--private-key', files[f] as string, '--passphrase-file', emptyPf]);
      expect(none.error?.error_code, f).toBe('KPS.1002');
    }
  });

  it('needs exactly one of --private-key and --keypair-name', () => {
    expect(cli(vault, ['kps', 'windows-password', '--password-blob', blob]).error?.error_code).toBe('KPS.0002');
  });
});
