/// <reference lib="dom" />
// Journey 2 in web mode: generate a key pair in the vault, export it as PPK v3 with a
// passphrase, and let PuTTY's own puttygen read the file back to the same public key.
// Also: a public key imported by pasting, and a generated key shown exactly once.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('generate → export PPK v3 with a passphrase → puttygen accepts the file', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByLabel('Name').fill('web-prod');
  await page.getByLabel('Type').selectOption('SSH_ED25519');
  await page.getByRole('button', { name: 'Generate key pair' }).click();
  await expect(page.getByRole('heading', { name: 'web-prod' })).toBeVisible();
  const publicKey = (await page.getByLabel('Public key', { exact: true }).inputValue()).trim();
  expect(publicKey).toMatch(/^ssh-ed25519 AAAA/);

  await page.getByLabel('Format').selectOption('ppk3');
  await page.getByLabel('Passphrase for the file (optional)').fill('ppk passphrase');
  await page.getByRole('button', { name: 'Export' }).click();
  const ppk = await page.getByTestId('one-time-text').textContent();
  expect(ppk).toMatch(/^PuTTY-User-Key-File-3: ssh-ed25519/);
  expect(ppk).toContain('Encryption: aes256-cbc');

  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-ppk-'));
  writeFileSync(join(dir, 'web-prod.ppk'), ppk ?? '');
  writeFileSync(join(dir, 'pass'), 'ppk passphrase\n');
  // puttygen must decrypt the private part (passphrase, MAC) to write it out in OpenSSH form
  // (re-encrypted with the same passphrase, which ssh-keygen then uses to read it).
  execFileSync('puttygen', [join(dir, 'web-prod.ppk'), '-O', 'private-openssh-new', '--old-passphrase', join(dir, 'pass'), '-o', join(dir, 'web-prod.key')]);
  chmodSync(join(dir, 'web-prod.key'), 0o600);
  const fromPuttygen = execFileSync('ssh-keygen', ['-y', '-P', 'ppk passphrase', '-f', join(dir, 'web-prod.key')], { encoding: 'utf8' });
  expect(fromPuttygen.trim().split(' ').slice(0, 2)).toEqual(publicKey.split(' ').slice(0, 2));

  await page.getByRole('button', { name: 'Done, hide it' }).click();
  await expect(page.getByTestId('one-time-text')).toHaveCount(0);
});

test('a generated key not kept by the vault is shown once; a pasted public key is imported', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByLabel('Name').fill('laptop');
  await page.getByLabel('Type').selectOption('SSH_ECDSA_256');
  await page.getByLabel(/Keep the private key in the vault/).uncheck();
  await page.getByRole('button', { name: 'Generate key pair' }).click();
  await expect(page.getByTestId('one-time-text')).toContainText('PRIVATE KEY-----');
  await page.getByRole('button', { name: 'Done, hide it' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Not kept by Keyhold' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Export' })).toHaveCount(0);

  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-pub-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pasted@test', '-f', join(dir, 'k')]);
  // PuTTYgen's "Save public key" format (RFC 4716), made by ssh-keygen.
  const rfc4716 = execFileSync('ssh-keygen', ['-e', '-f', join(dir, 'k.pub')], { encoding: 'utf8' });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByLabel('Name').fill('from-puttygen');
  await page.getByLabel(/Public key \(OpenSSH or RFC 4716\)/).fill(rfc4716);
  await page.getByRole('button', { name: 'Import', exact: true }).last().click();
  await expect(page.getByRole('heading', { name: 'from-puttygen' })).toBeVisible();
  const expected = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
  await expect(page.getByRole('definition').filter({ hasText: expected as string })).toBeVisible();
});
