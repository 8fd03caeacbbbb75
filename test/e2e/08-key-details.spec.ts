/// <reference lib="dom" />
// What the Keys screen offers beside encrypt and decrypt (issue #24): alias and description
// edits, tags, grants, data keys, MACs with an HMAC key, and random bytes.
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('edit, tag, grant and revoke, data keys', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('details-aes');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'details-aes', exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Edit alias and description' }).click();
  await page.getByLabel('New alias').fill('details-renamed');
  await page.getByLabel('New description').fill('for the e2e');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'details-renamed', exact: true })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'for the e2e' })).toBeVisible();

  await page.getByLabel('Tag key').fill('team');
  await page.getByLabel('Value', { exact: true }).fill('payments');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.locator('.badge', { hasText: 'team=payments' })).toBeVisible();
  // The list filters by the tag: only this key carries it.
  await page.getByLabel('Tag', { exact: true }).selectOption('team=payments');
  await expect(page.getByTestId('list-range')).toHaveText('1–1 of 1');
  await expect(page.getByRole('button', { name: 'details-renamed' })).toBeVisible();
  await page.getByLabel('Tag', { exact: true }).selectOption('');
  await page.getByLabel('Usage').selectOption('SIGN_VERIFY');
  await expect(page.getByRole('button', { name: 'details-renamed' })).toHaveCount(0);
  await page.getByLabel('Usage').selectOption('');
  await page.getByRole('button', { name: 'Remove tag team' }).click();
  await expect(page.locator('.badge', { hasText: 'team=payments' })).toHaveCount(0);

  await page.getByRole('button', { name: 'New grant' }).click();
  await page.getByLabel('Grantee principal').fill('auditor01');
  await page.getByRole('button', { name: 'Create grant' }).click();
  const row = page.getByRole('row').filter({ hasText: 'auditor01' });
  await expect(row).toContainText('encrypt-data, decrypt-data');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'auditor01' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Create data key' }).click();
  const plain = (await page.getByTestId('datakey-plain').textContent()) ?? '';
  expect(plain).toMatch(/^[0-9A-Fa-f]{64}$/);
  const cipher = (await page.getByTestId('datakey-cipher').textContent()) ?? '';
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(page.getByTestId('datakey-plain')).toHaveCount(0);
  await page.getByLabel('Encrypted data key to decrypt (hex)').fill(cipher);
  await page.getByRole('button', { name: 'Decrypt data key' }).click();
  await expect(page.getByTestId('datakey-decrypted')).toHaveText(plain);

  await page.getByLabel('Bits').fill('128');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByTestId('random-value')).toHaveText(/^[0-9A-Fa-f]{32}$/);
});

test('an HMAC key makes a MAC that verifies, and not for another message', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('details-hmac');
  await page.getByLabel('Key spec').selectOption('HMAC_256');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'Message authentication code (HMAC_SHA_256)' })).toBeVisible();
  await page.getByLabel('Message', { exact: true }).fill('invoice 42');
  await page.getByRole('button', { name: 'Generate MAC' }).click();
  const mac = (await page.getByTestId('mac-value').textContent()) ?? '';
  expect(mac).toMatch(/^[0-9a-fA-F]{64}$/);
  await page.getByLabel('MAC to verify (hex)').fill(mac);
  await page.getByRole('button', { name: 'Verify MAC' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The MAC is valid' })).toBeVisible();
  await page.getByLabel('Message', { exact: true }).fill('invoice 43');
  await page.getByRole('button', { name: 'Verify MAC' }).click();
  await expect(page.getByText('The MAC does not match this message.')).toBeVisible();
});
