/**
 * Issue #19: the key tools need no vault, and `kps convert` keeps a key's passphrase.
 *
 * Every offline call runs with KEYHOLD_VAULT at a path under a folder that does not exist and no
 * password in the environment: it must work, and neither the folder nor a vault file may appear.
 * Converted keys are judged by puttygen, ssh-keygen and openssl with the original passphrase.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintIn, mustTool, passFile, tool } from '../helpers/keytools.js';
import { cli, initVault, tempDir } from '../helpers/vault.js';

const PASS = 'original pass phrase';
const NEW_PASS = 'a different one';

let dir: string;
let absentVault: string;
let originalPf: string;
let newPf: string;
let wrongPf: string;
let emptyPf: string;
/** Encrypted inputs in every format Keyhold reads, made by the real tools; all one RSA key. */
const inputs: { label: string; format: string; file: string }[] = [];
const INPUT_LABELS = ['ssh-keygen openssh', 'ssh-keygen -m PEM', 'ssh-keygen -m PKCS8', 'openssl -scrypt pkcs8', 'puttygen ppk3', 'puttygen ppk2'] as const;
let fingerprint: string;

/** A CLI call with no vault and no password anywhere. */
function offline(args: string[]) {
  return cli(absentVault, args, { env: { KEYHOLD_PASSWORD: undefined } });
}

function expectNoVault(): void {
  expect(existsSync(join(dir, 'absent'))).toBe(false);
  expect(readdirSync(dir).filter((f) => f.includes('vault'))).toEqual([]);
}

/** Whether the real tool opens `file` with the passphrase in `pf`; returns the key's fingerprint. */
function toolOpens(format: string, file: string, pf: string): string | undefined {
  if (format === 'ppk3' || format === 'ppk2') {
    const out = join(dir, `judge-${process.hrtime.bigint()}`);
    const r = tool('puttygen', [file, '--old-passphrase', pf, '-P', '--new-passphrase', emptyPf, '-O', 'private-openssh-new', '-o', out]);
    return r.ok ? fingerprintIn(mustTool('ssh-keygen', ['-l', '-f', out])) : undefined;
  }
  if (format === 'openssh') {
    const r = tool('ssh-keygen', ['-y', '-P', readFileSync(pf, 'utf8'), '-f', file]);
    if (!r.ok) return undefined;
    const pub = join(dir, `judge-${process.hrtime.bigint()}.pub`);
    writeFileSync(pub, r.stdout);
    return fingerprintIn(mustTool('ssh-keygen', ['-l', '-f', pub]));
  }
  // pem, pkcs8: OpenSSL decrypts it; ssh-keygen fingerprints the public half it gives.
  const r = tool('openssl', ['pkey', '-in', file, '-passin', `file:${pf}`, '-pubout']);
  if (!r.ok) return undefined;
  const spki = join(dir, `judge-${process.hrtime.bigint()}.pem`);
  writeFileSync(spki, r.stdout);
  const line = join(dir, `judge-${process.hrtime.bigint()}.pub`);
  writeFileSync(line, mustTool('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', spki]));
  return fingerprintIn(mustTool('ssh-keygen', ['-l', '-f', line]));
}

beforeAll(() => {
  dir = tempDir();
  absentVault = join(dir, 'absent', 'vault.db');
  originalPf = passFile(dir, 'pass.txt', PASS);
  newPf = passFile(dir, 'new.txt', NEW_PASS);
  wrongPf = passFile(dir, 'wrong.txt', 'not it');
  emptyPf = passFile(dir, 'empty.txt', '');
  const openssh = join(dir, 'in-openssh');
  mustTool('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', PASS, '-C', 'offline test', '-f', openssh]);
  fingerprint = fingerprintIn(mustTool('ssh-keygen', ['-l', '-f', openssh])) as string;
  inputs.push({ label: 'ssh-keygen openssh', format: 'openssh', file: openssh });
  const pem = join(dir, 'in-pem');
  mustTool('cp', [openssh, pem]);
  mustTool('ssh-keygen', ['-q', '-p', '-P', PASS, '-N', PASS, '-m', 'PEM', '-f', pem]);
  inputs.push({ label: 'ssh-keygen -m PEM', format: 'pem', file: pem });
  const pkcs8 = join(dir, 'in-pkcs8');
  mustTool('cp', [openssh, pkcs8]);
  mustTool('ssh-keygen', ['-q', '-p', '-P', PASS, '-N', PASS, '-m', 'PKCS8', '-f', pkcs8]);
  inputs.push({ label: 'ssh-keygen -m PKCS8', format: 'pkcs8', file: pkcs8 });
  const scrypt = join(dir, 'in-pkcs8-scrypt');
  mustTool('openssl', [
    'pkcs8',
    '-topk8',
    '-scrypt',
    '-in',
    pem,
    '-passin',
    `file:${originalPf}`,
    '-passout',
    `file:${passFile(dir, 'pass-copy.txt', PASS)}`,
    '-out',
    scrypt,
  ]);
  inputs.push({ label: 'openssl -scrypt pkcs8', format: 'pkcs8', file: scrypt });
  const ppk3 = join(dir, 'in-ppk3');
  mustTool('puttygen', [openssh, '--old-passphrase', originalPf, '--new-passphrase', originalPf, '-O', 'private', '-o', ppk3]);
  inputs.push({ label: 'puttygen ppk3', format: 'ppk3', file: ppk3 });
  const ppk2 = join(dir, 'in-ppk2');
  mustTool('puttygen', [openssh, '--old-passphrase', originalPf, '--new-passphrase', originalPf, '--ppk-param', 'version=2', '-O', 'private', '-o', ppk2]);
  inputs.push({ label: 'puttygen ppk2', format: 'ppk2', file: ppk2 });
  for (const i of inputs) expect(toolOpens(i.format, i.file, originalPf), `${i.file} is made with the passphrase`).toBe(fingerprint);
});

describe('offline key tools (no vault, no password, nothing written but the output)', () => {
  it('kps inspect, convert and windows-password --private-key work with KEYHOLD_VAULT at a path that does not exist', () => {
    const inspected = offline(['kps', 'inspect', '--in', inputs[0]?.file as string]);
    expect([inspected.status, inspected.json]).toMatchObject([0, { format: 'openssh', encrypted: true, fingerprint }]);

    const out = join(dir, 'plain.pub');
    const converted = offline(['kps', 'convert', '--in', inputs[0]?.file as string, '--to', 'public-openssh', '--out', out]);
    expect([converted.status, converted.json]).toMatchObject([0, { format: 'public-openssh', fingerprint }]);

    const pubPem = join(dir, 'rsa-spki.pem');
    writeFileSync(pubPem, mustTool('openssl', ['pkey', '-in', inputs[1]?.file as string, '-passin', `file:${originalPf}`, '-pubout']));
    writeFileSync(join(dir, 'secret.txt'), 'Pa55word!');
    const blobFile = join(dir, 'blob.bin');
    mustTool('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      pubPem,
      '-in',
      join(dir, 'secret.txt'),
      '-out',
      blobFile,
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
    ]);
    const blob = readFileSync(blobFile).toString('base64');
    const pw = offline(['kps', 'windows-password', '--password-blob', blob, '--private-key', inputs[4]?.file as string, '--passphrase-file', originalPf]);
    expect([pw.status, pw.json]).toEqual([0, { password: 'Pa55word!' }]);
    expectNoVault();
  });

  it('a call that names a hosted key pair still needs the vault', () => {
    const r = offline(['kps', 'windows-password', '--password-blob', 'QUJD', '--keypair-name', 'kp1']);
    expect(r.status).not.toBe(0);
    expect(r.error?.error_code).toMatch(/^VAULT\.010[26]$/);
    expectNoVault();
  });

  it('file verify --public-key checks a signature with no vault; without --public-key it needs one', () => {
    const vault = initVault();
    const created = cli(vault, ['kms', 'create-key', '--key-alias', 'signer', '--key-spec', 'EC_P256', '--key-usage', 'SIGN_VERIFY']);
    const k = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    writeFileSync(join(dir, 'doc'), 'contract text\n');
    expect(cli(vault, ['file', 'sign', '--key-id', k, '--in', join(dir, 'doc'), '--out', join(dir, 'doc.sig')]).status).toBe(0);
    writeFileSync(join(dir, 'pub.pem'), (cli(vault, ['kms', 'get-publickey', '--key-id', k]).json as { public_key: string }).public_key);

    const good = offline(['file', 'verify', '--in', join(dir, 'doc'), '--signature', join(dir, 'doc.sig'), '--public-key', join(dir, 'pub.pem')]);
    expect([good.status, good.json]).toEqual([0, { signature_valid: true }]);
    writeFileSync(join(dir, 'doc'), 'contract text, amended\n');
    const bad = offline(['file', 'verify', '--in', join(dir, 'doc'), '--signature', join(dir, 'doc.sig'), '--public-key', join(dir, 'pub.pem')]);
    expect([bad.status, bad.json]).toEqual([1, { signature_valid: false }]);
    const needsVault = offline(['file', 'verify', '--in', join(dir, 'doc'), '--signature', join(dir, 'doc.sig')]);
    expect(needsVault.error?.error_code).toMatch(/^VAULT\.010[26]$/);
    expectNoVault();

    // With a vault at hand, an offline call still leaves no audit entry.
    expect(cli(vault, ['kps', 'inspect', '--in', inputs[0]?.file as string]).status).toBe(0);
    const events = (operation: string) => (cli(vault, ['audit', 'list-events', '--operation', operation]).json as { events: unknown[] }).events;
    expect(events('file sign')).toHaveLength(1);
    expect(events('kps inspect')).toEqual([]);
  });
});

describe('kps convert keeps the passphrase', () => {
  it.each(INPUT_LABELS)(
    '%s, converted to every private format, opens with the original passphrase only',
    (label) => {
      const input = inputs.find((i) => i.label === label) as (typeof inputs)[number];
      for (const to of ['ppk3', 'ppk2', 'openssh', 'pem', 'pkcs8']) {
        const out = join(dir, `kept-${inputs.indexOf(input)}-${to}`);
        const where = `${label} → ${to}`;
        const r = offline(['kps', 'convert', '--in', input.file, '--passphrase-file', originalPf, '--to', to, '--out', out]);
        expect(r.status, `${where}: ${r.stderr}`).toBe(0);
        expect((r.json as { encrypted: boolean }).encrypted, where).toBe(true);
        expect(toolOpens(to, out, originalPf), where).toBe(fingerprint);
        expect(toolOpens(to, out, wrongPf), `${where}, wrong passphrase`).toBeUndefined();
        expect(toolOpens(to, out, emptyPf), `${where}, no passphrase`).toBeUndefined();
      }
      expectNoVault();
    },
    120_000,
  );

  it('--new-passphrase-file changes it; --no-passphrase writes the key in clear; both at once is refused', () => {
    const src = inputs[0]?.file as string;
    const changed = join(dir, 'changed.ppk');
    expect(
      offline(['kps', 'convert', '--in', src, '--passphrase-file', originalPf, '--to', 'ppk3', '--out', changed, '--new-passphrase-file', newPf]).status,
    ).toBe(0);
    expect(toolOpens('ppk3', changed, newPf)).toBe(fingerprint);
    expect(toolOpens('ppk3', changed, originalPf)).toBeUndefined();

    const clear = join(dir, 'clear');
    const r = offline(['kps', 'convert', '--in', src, '--passphrase-file', originalPf, '--to', 'openssh', '--out', clear, '--no-passphrase']);
    expect([r.status, (r.json as { encrypted: boolean }).encrypted]).toEqual([0, false]);
    expect(toolOpens('openssh', clear, emptyPf)).toBe(fingerprint);

    const both = offline([
      'kps',
      'convert',
      '--in',
      src,
      '--passphrase-file',
      originalPf,
      '--to',
      'openssh',
      '--out',
      join(dir, 'both'),
      '--no-passphrase',
      '--new-passphrase-file',
      newPf,
    ]);
    expect([both.status, both.error?.error_code]).toEqual([2, 'KPS.0002']);
    expect(existsSync(join(dir, 'both'))).toBe(false);
  });

  it('an existing output is refused and left as it was; --force replaces it', () => {
    const out = join(dir, 'taken.pub');
    writeFileSync(out, 'precious\n');
    const refused = offline(['kps', 'convert', '--in', inputs[0]?.file as string, '--to', 'public-openssh', '--out', out]);
    expect([refused.status, refused.error?.error_code]).toEqual([2, 'KPS.1009']);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    expect(readdirSync(dir).filter((f) => f.startsWith('taken.pub.'))).toEqual([]);
    const forced = offline(['kps', 'convert', '--in', inputs[0]?.file as string, '--to', 'public-openssh', '--out', out, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^ssh-rsa AAAA/);
    expectNoVault();

    // export-private-key --out (which needs the vault) follows the same rule.
    const vault = initVault();
    expect(
      cli(vault, [
        'kps',
        'create-keypair',
        '--keypair',
        JSON.stringify({ name: 'hosted', algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } }),
      ]).status,
    ).toBe(0);
    const exported = join(dir, 'exported');
    writeFileSync(exported, 'precious\n');
    const kept = cli(vault, ['kps', 'export-private-key', '--keypair', '{"name":"hosted"}', '--format', 'openssh', '--out', exported]);
    expect([kept.status, kept.error?.error_code]).toEqual([2, 'KPS.1009']);
    expect(readFileSync(exported, 'utf8')).toBe('precious\n');
    expect(cli(vault, ['kps', 'export-private-key', '--keypair', '{"name":"hosted"}', '--format', 'openssh', '--out', exported, '--force']).status).toBe(0);
    expect(readFileSync(exported, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });
});
