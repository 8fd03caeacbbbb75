/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser.)
// The page's defences in web mode: no Node in the page, no windows, no navigation away, the
// CSP and the other security headers on the page, and the UI endpoint's CSRF guard.
import { expect, test } from '@playwright/test';

test('the page has no process or require', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /Unlock Keyhold|Create your vault/ })).toBeVisible();
  expect(await page.evaluate(() => [typeof (globalThis as { process?: unknown }).process, typeof (globalThis as { require?: unknown }).require])).toEqual([
    'undefined',
    'undefined',
  ]);
});

test('window.open is refused', async ({ page, context }) => {
  await page.goto('/');
  let popups = 0;
  context.on('page', () => (popups += 1));
  expect(await page.evaluate(() => window.open('https://example.com/', '_blank') === null)).toBe(true);
  await page.waitForTimeout(300);
  expect(popups).toBe(0);
});

test('navigation away from the app is refused', async ({ page }) => {
  await page.goto('/');
  const origin = new URL(page.url()).origin;
  await page.evaluate(() => {
    location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(new URL(page.url()).origin).toBe(origin);
  await expect(page.getByRole('heading', { name: /Unlock Keyhold|Create your vault/ })).toBeVisible();
});

test('the page is served with a strict CSP and the other security headers', async ({ page }) => {
  const response = await page.goto('/');
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("default-src 'none'");
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).not.toContain('unsafe');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  // The CSP is enforced: an inline script does not run.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = true';
    document.body.append(s);
    return (window as { __inline?: boolean }).__inline === true;
  });
  expect(ran).toBe(false);
});

test('the UI endpoint refuses calls without its header or from another origin', async ({ request, baseURL }) => {
  const body = { op: 'session.status', input: {} };
  const noHeader = await request.post('/keyhold/ui/call', { data: body, headers: { Origin: baseURL as string } });
  expect(noHeader.status()).toBe(403);
  const otherOrigin = await request.post('/keyhold/ui/call', { data: body, headers: { Origin: 'https://evil.example', 'x-keyhold-ui': '1' } });
  expect(otherOrigin.status()).toBe(403);
  const noSession = await request.post('/keyhold/ui/call', {
    data: { op: 'listKeys', input: {} },
    headers: { Origin: baseURL as string, 'x-keyhold-ui': '1' },
  });
  expect(noSession.status()).toBe(401);
});
