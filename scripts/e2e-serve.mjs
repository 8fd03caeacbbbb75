// Web mode on a throwaway vault for the Playwright specs: `node scripts/e2e-serve.mjs PORT`.
// The vault's folder is removed when the server stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = process.argv[2] ?? '4399';
const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-'));
const bin = fileURLToPath(new URL('../bin/keyhold.mjs', import.meta.url));
const child = spawn(process.execPath, [bin, 'serve', '--ui', '--port', port], {
  stdio: 'inherit',
  // A cheap KDF: the specs unlock several times; the cost is not what they test. A 64 MiB upload
  // bound, so 14-files-web can send a file over it without a huge one.
  env: { ...process.env, KEYHOLD_VAULT: join(dir, 'vault.db'), KEYHOLD_KDF_TARGET_MS: '30', KEYHOLD_PASSWORD: '', KEYHOLD_WEB_UPLOAD_MIB: '64' },
});
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
