/// <reference lib="dom" />
// Keys beyond encrypt/decrypt: an EC key signs and verifies (and a changed message fails), an
// AES key rotates on demand and is scheduled for deletion (each only after a confirmation), then
// the deletion is cancelled.
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('sign and verify with an EC key', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('release-signing');
  await page.getByLabel('Key spec').selectOption('EC_P256');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'Sign and verify with release-signing' })).toBeVisible();
  await page.getByLabel('Message').fill('release 1.0.0');
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await expect(page.getByLabel('Signature (base64)')).toHaveValue(/^[A-Za-z0-9+/=]{60,}$/);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The signature is valid' })).toBeVisible();
  await page.getByLabel('Message').fill('release 1.0.1');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'does not match' })).toBeVisible();
  await page.getByRole('button', { name: 'Show public key' }).click();
  await expect(page.getByTestId('public-key')).toContainText('-----BEGIN PUBLIC KEY-----');
});

test('rotate an AES key, schedule its deletion and cancel it', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('rotating');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByText('Automatic rotation is off.')).toBeVisible();
  // One click only asks; the rotation happens on the confirmation.
  await page.getByRole('button', { name: 'Rotate now' }).click();
  await expect(page.getByText('0 rotations so far')).toBeVisible();
  await page.getByRole('button', { name: 'Yes, rotate now' }).click();
  await expect(page.getByText('1 rotation so far')).toBeVisible();
  await page.getByLabel('Every').fill('90');
  await page.getByRole('button', { name: 'Turn rotation on' }).click();
  await expect(page.getByText('Rotates every 90 days.')).toBeVisible();
  await page.getByLabel('Delete after').fill('30');
  await page.getByRole('button', { name: 'Schedule deletion' }).click();
  await expect(page.getByRole('group', { name: /Delete rotating in 30 days\?/ })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Enabled' })).toBeVisible();
  await page.getByRole('button', { name: 'Yes, schedule deletion' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Pending deletion' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel deletion' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Disabled' })).toBeVisible();
});
