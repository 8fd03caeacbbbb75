import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests spawn CLIs, sshd and servers; two cores are all a machine has.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The renderer's manager classes and components, in jsdom with Svelte's runes compiled.
        extends: './vite.config.ts',
        test: {
          name: 'renderer',
          include: ['renderer/src/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: ['./renderer/vitest-setup.ts'],
        },
      },
    ],
  },
});
