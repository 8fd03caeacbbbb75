/// <reference lib="dom" />
// Key pairs beyond one import (issue #24): many public keys from an authorized_keys text, a
// description, and the private key of a public-only key pair hosted later (encrypted by ssh-keygen).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('import many public keys, describe one, host its private key later', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-many-'));
  const lines: string[] = [];
  for (const [name, type] of [
    ['alice', 'ed25519'],
    ['bob', 'ecdsa'],
    ['carol', 'rsa'],
  ] as const) {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', name === 'carol' ? 'carol pass' : '', '-C', `${name}-laptop`, '-f', join(dir, name)]);
    lines.push(readFileSync(join(dir, `${name}.pub`), 'utf8').trim());
  }
  await openVault(page);
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await page.getByRole('button', { name: 'Import many' }).click();
  await page.getByLabel(/Public keys, one per line/).fill(['# team keys', ...lines, 'ssh-ed25519 not-base64 broken'].join('\n'));
  await page.getByRole('button', { name: 'Import public keys' }).click();
  await expect(page.getByTestId('kp-many-note')).toContainText('3 imported; not imported: broken');
  for (const name of ['alice-laptop', 'bob-laptop', 'carol-laptop']) await expect(page.getByRole('button', { name, exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'carol-laptop', exact: true }).click();
  await page.getByRole('button', { name: 'Edit description' }).click();
  await page.getByLabel('New description').fill('carol, rotated 2026');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'carol, rotated 2026' })).toBeVisible();

  await page.getByLabel('Private key of carol-laptop (PEM, PKCS#8, OpenSSH or PPK)').fill(readFileSync(join(dir, 'carol'), 'utf8'));
  await page.getByLabel('Passphrase of the key file (if it has one)').fill('carol pass');
  await page.getByRole('button', { name: 'Keep the private key' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'In the vault' })).toBeVisible();

  // Another key's private half is refused: it does not belong to this public key.
  await page.getByRole('button', { name: 'alice-laptop', exact: true }).click();
  await page.getByLabel('Private key of alice-laptop (PEM, PKCS#8, OpenSSH or PPK)').fill(readFileSync(join(dir, 'bob'), 'utf8'));
  await page.getByRole('button', { name: 'Keep the private key' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Not kept by Keyhold' })).toBeVisible();
});
