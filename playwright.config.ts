// End-to-end tests of the desktop UI in web mode (`keyhold serve --ui`), in Debian's chromium
// (Playwright's own browser download is not available here; see the toolchain recipe §4).
import { defineConfig, devices } from '@playwright/test';

const PORT = Number(process.env.KEYHOLD_E2E_PORT ?? 4399);

export default defineConfig({
  testDir: './test/e2e',
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'off',
    screenshot: 'only-on-failure',
    viewport: { width: 1200, height: 780 },
  },
  projects: [
    {
      name: 'debian-chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1200, height: 780 },
        permissions: ['clipboard-read', 'clipboard-write'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
        },
      },
    },
  ],
  webServer: {
    // A fresh, throwaway vault every run: the first spec sees the first-run screen.
    command: `npx vite build --logLevel warn && node scripts/e2e-serve.mjs ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 90_000,
  },
});
