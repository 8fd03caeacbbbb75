/** Screenshots for docs/screenshots/, taken only when asked (`npm run screenshots`). */
import type { Page } from '@playwright/test';

export const TAKING_SCREENSHOTS = process.env.KEYHOLD_SCREENSHOTS === '1';

/** The window as the user sees it (a viewport, not the whole page: the PNGs stay small). */
export async function shot(page: Page, name: string): Promise<void> {
  if (!TAKING_SCREENSHOTS) return;
  // The picture shows the screen, not where the last click left the focus ring or the pointer.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `docs/screenshots/${name}.png`, animations: 'disabled', caret: 'hide' });
}
