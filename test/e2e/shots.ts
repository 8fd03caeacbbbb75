/** Screenshots for docs/screenshots/, taken only when asked (`npm run screenshots`). */
import type { Page } from '@playwright/test';

export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.KEYHOLD_SCREENSHOTS === '1') await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
