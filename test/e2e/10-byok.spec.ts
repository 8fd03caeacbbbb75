/// <reference lib="dom" />
// BYOK as the cloud console walks it (issue #24): create a key that waits for material, download
// the wrapping key, wrap material with openssl exactly as the wizard says, upload it, and check the
// imported key against openssl's own HMAC of the same material.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('BYOK: wrap HMAC material with openssl, import it, and the MAC equals openssl’s', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-byok-'));
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('byok-hmac');
  await page.getByLabel('Key spec').selectOption('HMAC_256');
  await page.getByLabel(/I bring my own key material/).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'byok-hmac', exact: true })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Pending import' })).toBeVisible();

  await page.getByLabel('Wrapping algorithm').selectOption('RSAES_OAEP_SHA_256');
  await page.getByRole('button', { name: 'Get wrapping key and import token' }).click();
  await expect(page.getByTestId('byok-expires')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download wrapping key (PublicKey.der)' }).click();
  await (await download).saveAs(join(dir, 'PublicKey.der'));

  // Run the wizard's own commands, in order, in the folder of PublicKey.der.
  const commands = ((await page.getByTestId('byok-commands').textContent()) ?? '').split('\n');
  expect(commands).toHaveLength(2);
  expect(commands[0]).toBe('openssl rand -out PlaintextKeyMaterial.bin 32');
  for (const line of commands) {
    const [tool, ...args] = line.split(' ');
    execFileSync(tool as string, args, { cwd: dir });
  }
  await page.getByLabel('Wrapped material (EncryptedKeyMaterial.bin)').setInputFiles(join(dir, 'EncryptedKeyMaterial.bin'));
  await page.getByRole('button', { name: 'Import key material' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Enabled' })).toBeVisible();

  const material = readFileSync(join(dir, 'PlaintextKeyMaterial.bin')).toString('hex');
  writeFileSync(join(dir, 'msg.txt'), 'byok message');
  const expected = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${material}`, '-r', join(dir, 'msg.txt')], {
    encoding: 'utf8',
  }).split(' ')[0];
  await page.getByLabel('Message', { exact: true }).fill('byok message');
  await page.getByRole('button', { name: 'Generate MAC' }).click();
  await expect(page.getByTestId('mac-value')).toHaveText(expected as string);

  // Deleting the material asks first, then the key waits for an import again.
  await page.getByRole('button', { name: 'Delete imported key material' }).click();
  await page.getByRole('button', { name: 'Yes, delete imported key material' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Pending import' })).toBeVisible();
});

test('BYOK of a key pair: the wizard’s openssl commands wrap an SM2 private key, the imported key signs what openssl verifies', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-byok-pair-'));
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('byok-sm2');
  await page.getByLabel('Key spec').selectOption('SM2');
  // An SM2 key starts as a signing key, as the core's default usage for it.
  await expect(page.getByRole('form', { name: 'New key' }).getByLabel('Usage')).toHaveValue('SIGN_VERIFY');
  await page.getByLabel(/I bring my own key material/).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'byok-sm2', exact: true })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Pending import' })).toBeVisible();

  await page.getByLabel('Wrapping algorithm').selectOption('RSAES_OAEP_SHA_256');
  await page.getByRole('button', { name: 'Get wrapping key and import token' }).click();
  await expect(page.getByTestId('byok-expires')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download wrapping key (PublicKey.der)' }).click();
  await (await download).saveAs(join(dir, 'PublicKey.der'));

  // The wizard's shell lines, run as a user pastes them, in the folder of PublicKey.der.
  const commands = ((await page.getByTestId('byok-commands').textContent()) ?? '').split('\n');
  expect(commands[0]).toBe('openssl genpkey -algorithm SM2 -out PrivateKey.pem');
  expect(commands.some((c) => c.includes('enc -id-aes256-wrap-pad'))).toBe(true);
  for (const line of commands) execFileSync('bash', ['-c', line], { cwd: dir });
  await page.getByLabel('Wrapped private key (EncryptedPrivateKey.bin)').setInputFiles(join(dir, 'EncryptedPrivateKey.bin'));
  await page.getByLabel('Wrapped temporary key (EncryptedTempKey.bin)').setInputFiles(join(dir, 'EncryptedTempKey.bin'));
  await page.getByRole('button', { name: 'Import key material' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Enabled' })).toBeVisible();

  execFileSync('openssl', ['pkey', '-in', 'PrivateKey.pem', '-pubout', '-out', 'PrivateKey.pub.pem'], { cwd: dir });
  await page.getByRole('button', { name: 'Show public key' }).click();
  await expect(page.getByTestId('public-key')).toHaveText(readFileSync(join(dir, 'PrivateKey.pub.pem'), 'utf8').trim());

  await page.getByLabel('Signing algorithm').selectOption('SM2DSA_SM3');
  await page.getByLabel('Message', { exact: true }).fill('signed in the app');
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await expect(page.getByLabel('Signature (base64)')).not.toHaveValue('');
  const signature = await page.getByLabel('Signature (base64)').inputValue();
  writeFileSync(join(dir, 'msg.txt'), 'signed in the app');
  writeFileSync(join(dir, 'msg.sig'), Buffer.from(signature, 'base64'));
  const verified = execFileSync(
    'openssl',
    [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      'PrivateKey.pub.pem',
      '-rawin',
      '-digest',
      'sm3',
      '-in',
      'msg.txt',
      '-sigfile',
      'msg.sig',
      '-pkeyopt',
      'distid:1234567812345678',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  expect(verified).toContain('Signature Verified Successfully');
});
