/** The e2e vault's password, and getting past the first-run or unlock screen whichever shows. */
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'e2e master password';

export async function openVault(page: Page): Promise<void> {
  await page.goto('/');
  const heading = page.getByRole('heading', { name: /Create your vault|Unlock Keyhold/ });
  await expect(heading).toBeVisible();
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  if ((await heading.textContent()) === 'Create your vault') await page.getByLabel('Repeat the master password').fill(PASSWORD);
  await page.getByRole('button', { name: /^(Create vault|Unlock)$/ }).click();
  await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible();
}
