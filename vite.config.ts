/// <reference types="vitest/config" />
// The renderer (renderer/ → dist/renderer/). Relative base: the same build is served from
// app://keyhold/ in Electron and from `keyhold serve --ui` in web mode.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte({ configFile: false }), svelteTesting({ autoCleanup: false })],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Everything is a file under 'self' (the CSP allows no inline code).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
