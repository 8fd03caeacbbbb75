/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser.)
// Journey 1 in web mode: first run → create a key → encrypt and decrypt → audit log verifies.
import { expect, test } from '@playwright/test';

import { PASSWORD } from './vault.js';

test('first run, create a key, encrypt and decrypt, copy with the clipboard timer, verify the audit log, lock', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Create your vault' })).toBeVisible();

  // A mismatch is explained, not submitted.
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat the master password').fill('something else');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two passwords differ.');

  await page.getByLabel('Repeat the master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('heading', { name: 'Keys' })).toBeVisible();

  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('bad alias!');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('alert')).toContainText('“Alias”');
  await page.getByLabel('Alias').fill('billing-db');
  await page.getByLabel('Description (optional)').fill('database credentials');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'billing-db' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Enabled' })).toBeVisible();

  await expect(page.getByLabel('Key', { exact: true })).toHaveValue(/^[0-9a-z-]{36}$/);
  await page.getByLabel('Plaintext').fill('hello from the e2e test');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const cipher = page.getByLabel('Ciphertext');
  await expect(cipher).toHaveValue(/^[0-9a-zA-Z+/=]{128,}$/);
  await page.getByLabel('Plaintext').fill('');
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByTestId('decrypted')).toHaveText('hello from the e2e test');
  await expect(page.getByText('Decrypted with billing-db')).toBeVisible();

  await page.getByRole('button', { name: 'Copy ciphertext' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Ciphertext copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^[0-9a-zA-Z+/=]{128,}$/);
  const seconds = Number(await page.getByTestId('clipboard-seconds').textContent());
  expect(seconds).toBeGreaterThan(25);
  expect(seconds).toBeLessThanOrEqual(30);
  await page.getByRole('button', { name: 'Clear now' }).click();
  await expect(page.getByTestId('clipboard-seconds')).toHaveCount(0);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('');

  // Disable the key: it can no longer be chosen for encryption.
  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Disabled' })).toBeVisible();
  await page.getByRole('button', { name: 'Enable' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Enabled' })).toBeVisible();

  await page.getByRole('button', { name: 'Audit log' }).click();
  await expect(page.getByRole('cell', { name: 'kms create-key' })).toBeVisible();
  // The screens' own list reads are in the chain but not on screen unless asked for.
  await expect(page.getByRole('cell', { name: 'kms list-keys' })).toHaveCount(0);
  await expect(page.getByTestId('audit-hidden')).toContainText(/\d+ hidden on this page/);
  await page.getByLabel(/Show metadata reads/).check();
  await expect(page.getByRole('cell', { name: 'kms list-keys' }).first()).toBeVisible();
  await page.getByLabel(/Show metadata reads/).uncheck();
  await expect(page.getByRole('cell', { name: 'Succeeded' }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Verified:' })).toBeVisible();

  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByText('"remember on this device" is a desktop-app feature')).toBeVisible();

  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock Keyhold' })).toBeVisible();
  await page.getByLabel('Master password').fill('wrong password');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('That is not the master password');
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  // Unlocking returns to the screen the user was on.
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Keys' }).click();
  await expect(page.getByRole('button', { name: 'billing-db' })).toBeVisible();
});
