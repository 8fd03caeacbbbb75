/// <reference lib="dom" />
// The Keys list at the size sync and a raised quota bring: the quota is shown and raised from
// the screen, and 1,000 keys are searched, filtered, sorted and paged, 50 rows at a time.
import { expect, test, type Page } from '@playwright/test';
import { UI_CALL_PATH, UI_HEADER } from '../../shared/ui/contract.js';
import { openVault } from './vault.js';

/** Calls the UI endpoint from the page, as the app does, with the page's own session cookie. */
async function uiCall(page: Page, op: string, input: unknown): Promise<unknown> {
  return page.evaluate(
    async ({ path, header, op, input }) => {
      const res = await fetch(path, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', [header]: '1' },
        body: JSON.stringify({ op, input }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(JSON.stringify(body));
      return body;
    },
    { path: UI_CALL_PATH, header: UI_HEADER, op, input },
  );
}

async function usedKeys(page: Page): Promise<number> {
  const res = (await uiCall(page, 'showUserQuotas', {})) as { quotas: { resources: { type: string; used: number }[] } };
  return res.quotas.resources.find((r) => r.type === 'CMK')?.used ?? 0;
}

test('the quota is shown and raised on the Keys screen; 1,000 keys are searched, filtered, sorted and paged', async ({ page }) => {
  test.setTimeout(240_000);
  await openVault(page);
  for (let i = await usedKeys(page); i < 20; i++) await uiCall(page, 'createKey', { key_alias: `fill-${i}`, key_spec: 'AES_256' });
  await page.reload();
  await expect(page.getByTestId('key-quota')).toContainText('20 of 20 custom keys used');
  await expect(page.getByTestId('key-quota')).toContainText('The limit is reached');
  await page.getByLabel('New limit').fill('2000');
  await page.getByRole('button', { name: 'Raise the limit' }).click();
  await expect(page.getByTestId('key-quota')).toContainText('20 of 2000 custom keys used');

  for (let i = 0; i < 1000; i++) {
    const spec = i % 10 === 0 ? 'EC_P256' : 'AES_256';
    await uiCall(page, 'createKey', { key_alias: `bulk-${String(i).padStart(4, '0')}`, key_spec: spec });
  }
  await page.reload();
  await expect(page.getByTestId('list-range')).toContainText(/^1–50 of \d{4}$/);
  await expect(page.locator('main tbody tr')).toHaveCount(50);

  await page.getByLabel('Search keys').fill('bulk-0777');
  await expect(page.getByTestId('list-range')).toHaveText('1–1 of 1');
  await expect(page.getByRole('button', { name: 'bulk-0777' })).toBeVisible();

  await page.getByLabel('Search keys').fill('bulk');
  await page.getByLabel('Spec', { exact: true }).selectOption('EC_P256');
  await expect(page.getByTestId('list-range')).toHaveText('1–50 of 100');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('list-range')).toHaveText('51–100 of 100');

  await page.getByRole('button', { name: /^Alias/ }).click();
  await expect(page.getByRole('columnheader', { name: /Alias/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByTestId('list-range')).toHaveText('1–50 of 100');
  await expect(page.locator('main tbody tr').first()).toContainText('bulk-0990');

  await page.getByLabel('Search keys').fill('no-such-key');
  await expect(page.getByText('No key matches the search or filters.')).toBeVisible();
});
