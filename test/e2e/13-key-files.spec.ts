/// <reference lib="dom" />
// Key-file tools and the Windows password in web mode (issue #24): the key goes in as content
// (uploaded or pasted), never by path. Real tools judge the results: an encrypted PuTTY v3 key
// made by puttygen is inspected (the SHA256 fingerprint ssh-keygen computes) and converted to
// OpenSSH, which ssh-keygen opens with the same passphrase and derives puttygen's public key
// from; a blob made by openssl decrypts with a pasted, encrypted private key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { shot } from './shots.js';
import { openVault } from './vault.js';

const PASS = 'putty passphrase';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The type and base64 of a public key line, without its comment. */
const blobOf = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

test('a puttygen PPK v3 key, encrypted: inspected as ssh-keygen sees it, converted to OpenSSH that ssh-keygen opens', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-keyfiles-'));
  const ppk = join(dir, 'id_putty.ppk');
  writeFileSync(join(dir, 'pass'), PASS);
  run('puttygen', ['--random-device', '/dev/urandom', '-t', 'ed25519', '-C', 'putty@e2e', '--new-passphrase', join(dir, 'pass'), '-o', ppk]);
  expect(readFileSync(ppk, 'utf8')).toMatch(/^PuTTY-User-Key-File-3: ssh-ed25519\r?\nEncryption: aes256-cbc/);
  run('puttygen', [ppk, '--old-passphrase', join(dir, 'pass'), '-O', 'public-openssh', '-o', join(dir, 'id_putty.pub')]);
  const puttyPublic = readFileSync(join(dir, 'id_putty.pub'), 'utf8');
  const sha256 = /SHA256:\S+/.exec(run('ssh-keygen', ['-lf', join(dir, 'id_putty.pub')]))?.[0];
  const md5 = /MD5:\S+/.exec(run('ssh-keygen', ['-l', '-E', 'md5', '-f', join(dir, 'id_putty.pub')]))?.[0];

  await openVault(page);
  await page.getByRole('button', { name: 'Key file tools' }).click();
  await expect(page).toHaveURL(/#\/keyfiles$/);
  await page.getByLabel('Or upload a file').setInputFiles(ppk);
  await expect(page.getByText('From id_putty.ppk')).toBeVisible();
  await page.getByRole('button', { name: 'Inspect' }).click();
  await expect(page.getByTestId('kf-format')).toHaveText('PuTTY PPK v3');
  await expect(page.getByTestId('kf-sha256')).toHaveText(sha256 as string);
  await expect(page.getByTestId('kf-md5')).toHaveText(md5 as string);
  await expect(page.getByTestId('kf-encrypted')).toHaveText('Yes, with a passphrase');
  await expect(page.getByTestId('kf-bits')).toHaveText('256');

  // Converting a private key needs the passphrase: asked for in words, never a CLI flag.
  await page.getByLabel('Convert to').selectOption('openssh');
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  await expect(page.getByTestId('kf-passphrase-prompt')).toBeVisible();
  await expect(page.locator('body')).not.toContainText('--passphrase-file');
  await page.getByLabel('Passphrase of the key file').fill(PASS);
  await expect(page.getByLabel("Keep the key's passphrase")).toBeChecked();
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  await expect(page.getByTestId('kf-converted')).toContainText('encrypted with a passphrase');
  await shot(page, 'key-file-tools');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download id_putty.key' }).click();
  const out = join(dir, 'id_putty.key');
  await (await download).saveAs(out);

  expect(readFileSync(out, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  execFileSync('chmod', ['600', out]);
  expect(blobOf(run('ssh-keygen', ['-y', '-P', PASS, '-f', out]))).toBe(blobOf(puttyPublic));
  // The passphrase was kept: the file is not open without it.
  expect(() => run('ssh-keygen', ['-y', '-P', '', '-f', out])).toThrow();

  // Nothing went into the vault so far; it does when asked, with the passphrase given above.
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await expect(page.getByRole('table')).not.toContainText('Loading…');
  await expect(page.getByRole('button', { name: 'from-putty', exact: true })).toHaveCount(0);
  await page.goBack();
  await page.getByLabel('Or upload a file').setInputFiles(ppk);
  await page.getByRole('button', { name: 'Inspect' }).click();
  await page.getByLabel('Passphrase of the key file').fill(PASS);
  await page.getByLabel('Key pair name').fill('from-putty');
  await page.getByRole('button', { name: 'Import into the vault' }).click();
  await expect(page.getByTestId('kf-imported')).toContainText('from-putty');
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await page.getByRole('button', { name: 'from-putty', exact: true }).click();
  await expect(page.getByRole('definition').filter({ hasText: sha256 as string })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'In the vault' })).toBeVisible();
});

test('Windows password from a pasted, encrypted private key and a blob made by openssl', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-winpw-'));
  const key = join(dir, 'win.p8.pem');
  run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes-256-cbc', '-pass', 'pass:key pass', '-out', key]);
  run('openssl', ['pkey', '-in', key, '-passin', 'pass:key pass', '-pubout', '-out', join(dir, 'win.pub.pem')]);
  writeFileSync(join(dir, 'password.txt'), 'Adm1n-Web-M0de!');
  execFileSync('openssl', [
    'pkeyutl',
    '-encrypt',
    '-pubin',
    '-inkey',
    join(dir, 'win.pub.pem'),
    '-pkeyopt',
    'rsa_padding_mode:pkcs1',
    '-in',
    join(dir, 'password.txt'),
    '-out',
    join(dir, 'blob.bin'),
  ]);
  const blob = readFileSync(join(dir, 'blob.bin')).toString('base64');

  await openVault(page);
  await page.getByRole('button', { name: 'Windows password' }).click();
  await expect(page.getByRole('note')).toHaveCount(0);
  await page.getByLabel('Encrypted password (base64)').fill(blob);
  await page.getByLabel('A private-key file').check();
  await page.getByLabel('Private key (PEM, PKCS#8, OpenSSH or PPK)').fill(readFileSync(key, 'utf8'));
  await page.getByRole('button', { name: 'Decrypt' }).click();
  await expect(page.getByTestId('wp-passphrase-prompt')).toBeVisible();
  await expect(page.getByTestId('windows-password')).toHaveCount(0);
  await page.getByLabel('Passphrase of the key file').fill('key pass');
  await page.getByRole('button', { name: 'Decrypt' }).click();
  await expect(page.getByTestId('windows-password')).toHaveText('Adm1n-Web-M0de!');
  await shot(page, 'windows-password-web');
});
