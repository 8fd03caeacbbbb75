// Servers in web mode: a server is registered with its host key not yet pinned, and pinning
// against a port where nothing listens fails with a message in words, changing nothing.
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('register a server; pinning an unreachable one explains why', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Servers' }).click();
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Name', { exact: true }).fill('web1');
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('1');
  await page.getByLabel('User', { exact: true }).fill('deploy');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = page.getByRole('row').filter({ hasText: 'web1' });
  await expect(row).toContainText('deploy@127.0.0.1:1');
  await expect(row).toContainText('not pinned yet');
  await row.getByRole('button', { name: 'Pin host key' }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(row).toContainText('not pinned yet');
});
