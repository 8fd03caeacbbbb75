// "Remember on this device" against a real Secret Service: gnome-keyring in a throwaway D-Bus
// session (installed by .ci/run). Every other test uses the in-memory fake.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, tempDir } from '../helpers/vault.js';

const available = ['dbus-run-session', 'gnome-keyring-daemon'].every((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0);

describe('OS keychain (gnome-keyring over D-Bus)', () => {
  it.runIf(available)('stores, reads and deletes a device secret', () => {
    const home = tempDir('keyhold-keyring-');
    mkdirSync(join(home, '.local/share/keyrings'), { recursive: true });
    const script = join(home, 'run.sh');
    writeFileSync(
      script,
      [
        'set -e',
        `export HOME=${home}`,
        'eval "$(printf \'test-pass\' | gnome-keyring-daemon --unlock --components=secrets)"',
        'export GNOME_KEYRING_CONTROL',
        `exec "${process.execPath}" --import tsx test/helpers/keychain-probe.ts`,
      ].join('\n'),
    );
    const r = spawnSync('dbus-run-session', ['--', 'sh', script], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ read: 'device-secret-value', afterDelete: null });
  });
});
