/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The visual pass (issue #24): no screen scrolls sideways in an 820-px window or at 1280×800,
// every control shows where the focus is, the search and lock shortcuts work, the dark theme
// follows the OS, and a revealed secret does not outlive its screen.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { seedVault, type Seeded } from './seed.js';
import { openVault } from './vault.js';

const SCREENS = ['keys', 'secrets', 'keypairs', 'keyfiles', 'windows', 'servers', 'files', 'remotes', 'audit', 'settings'] as const;

/** How far the page itself scrolls sideways (0 when everything fits the window). */
const sidewaysOverflow = (page: Page) => page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth);

/** Names in lists (seeded with hyphens) that wrap onto a second line or are not left-aligned. */
const brokenNames = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('td > button.link')]
      .filter((b) => b.offsetHeight > parseFloat(getComputedStyle(b).lineHeight) * 1.5 || !['start', 'left'].includes(getComputedStyle(b).textAlign))
      .map((b) => b.textContent ?? ''),
  );

async function showScreen(page: Page, id: string, seeded: Seeded): Promise<void> {
  await page.evaluate((h) => (location.hash = h), `#/${id}`);
  await expect(page.locator('main#screen')).toBeVisible();
  // The details panes are where long names and tables live: open one on each list screen (found
  // by the list's search: other specs may have filled the vault with pages of keys before this one).
  const open = async (search: string, name: string) => {
    await page.getByLabel(search).fill(name);
    await page.getByRole('button', { name, exact: true }).click();
  };
  if (id === 'keys') await open('Search keys', seeded.aesAlias);
  if (id === 'secrets') await open('Search secrets', seeded.secretName);
  if (id === 'keypairs') await open('Search key pairs', seeded.keypairName);
  if (id !== 'keys' && id !== 'secrets' && id !== 'keypairs') await page.waitForLoadState('networkidle');
  else await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
}

let seeded: Seeded;

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await openVault(page);
  seeded = await seedVault(page);
  await page.close();
});

for (const size of [
  { width: 820, height: 900 },
  { width: 1280, height: 800 },
]) {
  test(`no screen scrolls sideways at ${size.width}×${size.height}`, async ({ page }) => {
    await page.setViewportSize(size);
    await openVault(page);
    const wide: string[] = [];
    const broken: string[] = [];
    for (const id of SCREENS) {
      await showScreen(page, id, seeded);
      const over = await sidewaysOverflow(page);
      if (over > 0) wide.push(`${id} +${over}px`);
      broken.push(...(await brokenNames(page)).map((n) => `${id}: ${n}`));
    }
    expect(wide).toEqual([]);
    expect(broken).toEqual([]);
  });
}

/** Tabs from the Lock button round the whole page back to it, noting each control's focus ring. */
async function tabAround(page: Page, limit: number): Promise<Map<string, string>> {
  await page.getByRole('button', { name: 'Lock', exact: true }).focus();
  const seen = new Map<string, string>();
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 ? 'outline' : style.boxShadow !== 'none' ? 'shadow' : 'none';
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? el.getAttribute('placeholder') ?? '').trim().slice(0, 30);
      return { what: `${el.tagName.toLowerCase()}#${el.id} ${name}`, ring, lock: el.textContent === 'Lock' && el.tagName === 'BUTTON' };
    });
    if (!focus) continue;
    seen.set(`${seen.size} ${focus.what}`, focus.ring);
    if (focus.lock) return seen;
  }
  throw new Error(`Tab did not come back to Lock within ${limit} presses`);
}

test('Tab reaches every control of every screen, each with a visible focus ring', async ({ page }) => {
  await openVault(page);
  const missing: string[] = [];
  for (const id of SCREENS) {
    await showScreen(page, id, seeded);
    const seen = await tabAround(page, 300);
    // The walk went through the navigation and into the screen.
    expect(
      [...seen.keys()].some((w) => w.endsWith(' Settings')),
      id,
    ).toBe(true);
    expect(seen.size, id).toBeGreaterThanOrEqual(10);
    missing.push(...[...seen.entries()].filter(([, ring]) => ring === 'none').map(([what]) => `${id}: ${what}`));
  }
  expect(missing).toEqual([]);
});

test('"/" and Ctrl+K focus the list search; Ctrl+L locks', async ({ page }) => {
  await openVault(page);
  await page.evaluate(() => (location.hash = '#/secrets'));
  await expect(page.getByRole('button', { name: seeded.secretName, exact: true })).toBeVisible();
  const search = page.getByLabel('Search secrets');
  await page.locator('body').press('/');
  await expect(search).toBeFocused();
  // Typed into the field, "/" is a character, not a shortcut.
  await page.keyboard.type('db/');
  await expect(search).toHaveValue('db/');
  await search.fill('');
  await page.evaluate(() => (location.hash = '#/keys'));
  await page.getByLabel('Search keys').fill(seeded.aesAlias);
  await page.getByRole('button', { name: seeded.aesAlias, exact: true }).click();
  await page.keyboard.press('Control+k');
  await expect(page.getByLabel('Search keys')).toBeFocused();

  await page.keyboard.press('Control+l');
  await expect(page.getByRole('heading', { name: 'Unlock Keyhold' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Lock', exact: true })).toHaveCount(0);
});

test('a revealed secret is hidden after navigating away and back', async ({ page }) => {
  await openVault(page);
  await page.evaluate(() => (location.hash = '#/secrets'));
  await page.getByRole('button', { name: seeded.secretName, exact: true }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'v2', exact: true }) });
  await row.getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByTestId('secret-value')).toHaveText('tr0ub4dor-and-3');
  await page.getByRole('button', { name: 'Audit log' }).click();
  await page.goBack();
  await expect(page.getByRole('button', { name: seeded.secretName, exact: true })).toBeVisible();
  await page.getByRole('button', { name: seeded.secretName, exact: true }).click();
  await expect(row).toBeVisible();
  await expect(page.getByTestId('secret-value')).toHaveCount(0);
  // The value field is typed like a password: masked, no spellcheck.
  await page.getByRole('button', { name: 'New secret' }).click();
  const value = page.getByLabel('Value', { exact: true });
  await expect(value).toHaveAttribute('spellcheck', 'false');
  expect(await value.evaluate((el) => getComputedStyle(el).getPropertyValue('-webkit-text-security'))).toBe('disc');
});

test('the copied-text bar never covers the end of the screen', async ({ page }) => {
  await page.setViewportSize({ width: 820, height: 700 });
  await openVault(page);
  await page.evaluate(() => (location.hash = '#/keys'));
  await page.getByLabel('Search keys').fill(seeded.aesAlias);
  await page.getByRole('button', { name: seeded.aesAlias, exact: true }).click();
  await page.getByRole('button', { name: 'Copy' }).first().click();
  await expect(page.getByTestId('clipboard-seconds')).toBeVisible();
  // Scrolled to the end, the screen's last control is wholly above the bar.
  const gap = () =>
    page.evaluate(() => {
      window.scrollTo(0, document.scrollingElement?.scrollHeight ?? 0);
      const controls = [...document.querySelectorAll('main#screen button, main#screen input, main#screen textarea, main#screen select')];
      const last = controls.at(-1)?.getBoundingClientRect();
      const bar = document.querySelector('.clipboard')?.getBoundingClientRect();
      return last && bar ? bar.top - last.bottom : -1;
    });
  await expect.poll(gap).toBeGreaterThanOrEqual(0);
  await page.getByRole('button', { name: 'Clear now' }).click();
});

test('an error shows in words with its code beside it', async ({ page }) => {
  await openVault(page);
  await page.evaluate(() => (location.hash = '#/keys'));
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill(seeded.aesAlias);
  await page.getByRole('button', { name: 'Create key' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible();
  await expect(alert.locator('.error-code')).toHaveText(/^[A-Z]+\.\d{4}$/);
  expect((await alert.locator('span').textContent())?.length ?? 0).toBeGreaterThan(10);
});

test.describe('under a dark OS theme', () => {
  test.use({ colorScheme: 'dark' });

  test('the page is dark, the text light, and focus still shows', async ({ page }) => {
    await openVault(page);
    const colours = await page.evaluate(() => {
      const card = document.querySelector('.card') as HTMLElement;
      return {
        page: getComputedStyle(document.documentElement).backgroundColor,
        card: getComputedStyle(card).backgroundColor,
        ink: getComputedStyle(card).color,
      };
    });
    const light = await (async () => {
      const other = await page.context().browser()?.newPage({ colorScheme: 'light' });
      if (!other) return null;
      await openVault(other);
      const bg = await other.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      await other.close();
      return bg;
    })();
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(colours.page).not.toBe(light);
    expect(luminance(colours.page)).toBeLessThan(60);
    expect(luminance(colours.card)).toBeLessThan(60);
    expect(luminance(colours.ink)).toBeGreaterThan(180);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).not.toBe('none');
  });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test('text on every screen has enough contrast (axe-core, WCAG AA)', async ({ page }) => {
      await openVault(page);
      const failures: string[] = [];
      for (const id of SCREENS) {
        await showScreen(page, id, seeded);
        const { violations } = await new AxeBuilder({ page }).withRules(['color-contrast']).analyze();
        for (const v of violations) for (const n of v.nodes) failures.push(`${id}: ${n.target.join(' ')} ${n.any[0]?.message ?? ''}`);
      }
      expect(failures).toEqual([]);
    });
  });
}

test('first run and password change state the 8-character minimum before submit', async ({ page }) => {
  await openVault(page);
  await page.evaluate(() => (location.hash = '#/settings'));
  const rule = page.locator('#newpw-rule');
  await expect(rule).toHaveText('At least 8 characters.');
  await page.getByLabel('New master password').fill('short');
  await expect(rule).toHaveText('At least 8 characters: 3 more to go.');
  await page.getByLabel('New master password').fill('long enough now');
  await expect(rule).toHaveText('At least 8 characters: long enough.');
});

test('the page has a favicon', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(href).toMatch(/\.svg$/);
  const res = await request.get(new URL(href ?? '', page.url()).toString());
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('image/svg+xml');
  expect(await res.text()).toContain('<svg');
});
