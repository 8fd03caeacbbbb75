// jest-dom matchers, and unmounting after each test (the plugin's own auto-cleanup setup file
// is not resolvable through this checkout's symlinked node_modules).
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';

afterEach(() => cleanup());
