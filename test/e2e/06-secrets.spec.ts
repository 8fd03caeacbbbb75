/// <reference lib="dom" />
// A secret with versions and stages in web mode: create it, add a version (SYSCURRENT and
// SYSPREVIOUS move), reveal an old version, put a custom stage on it, copy with the timer.
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('a secret with versions and stages', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Secrets' }).click();
  await page.getByRole('button', { name: 'New secret' }).click();
  await page.getByLabel('Name').fill('db-password');
  await page.getByLabel('Value', { exact: true }).fill('first-value');
  await page.getByRole('button', { name: 'Create secret' }).click();
  await expect(page.getByRole('heading', { name: 'db-password' })).toBeVisible();
  const row = (v: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: v, exact: true }) });
  await expect(row('v1')).toContainText('SYSCURRENT');

  await page.getByLabel(/^Value \(becomes SYSCURRENT/).fill('second-value');
  await page.getByRole('button', { name: 'Add version' }).click();
  await expect(row('v2')).toContainText('SYSCURRENT');
  await expect(row('v1')).toContainText('SYSPREVIOUS');
  await expect(row('v1')).not.toContainText('SYSCURRENT');

  await row('v1').getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByTestId('secret-value')).toHaveText('first-value');

  await page.getByLabel('Stage', { exact: true }).fill('STAGING');
  await page.getByLabel('on version').selectOption('v1');
  await page.getByRole('button', { name: 'Set stage' }).click();
  await expect(row('v1')).toContainText('STAGING');

  await page.getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('first-value');
  await page.getByRole('button', { name: 'Clear now' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('');
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(page.getByTestId('secret-value')).toHaveCount(0);
});
