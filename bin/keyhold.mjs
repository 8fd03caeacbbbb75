#!/usr/bin/env node
// The `keyhold` command. TypeScript runs through tsx's loader, so `npm ci` is the only setup.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/main.ts');
