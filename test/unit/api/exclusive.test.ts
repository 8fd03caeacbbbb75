// One-at-a-time claims beside the vault (api/exclusive.ts): refused while a live process holds
// one, taken over from a process that is gone, released once. The other process is a real one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimExclusive, claimPath } from '../../../electron/core/api/exclusive.js';
import { PROJECT_ROOT, tempDir } from '../../helpers/vault.js';

const vaultIn = (dir: string) => join(dir, 'vault.db');

/** A node process that claims `key` on `vault` and then waits; resolves once it holds the claim. */
async function holder(vault: string, key: string) {
  const script = `import { claimExclusive } from ${JSON.stringify(join(PROJECT_ROOT, 'electron/core/api/exclusive.ts'))};
claimExclusive(${JSON.stringify(vault)}, ${JSON.stringify(key)}, 'test job'); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return child;
}

describe('claimExclusive', () => {
  it('in one process: a second claim is refused until the first is released; release is idempotent', () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    const release = claimExclusive(vault, 'k', 'push to remote a (csms)');
    expect(existsSync(claimPath(vault, 'k'))).toBe(true);
    expect(() => claimExclusive(vault, 'k', 'push to remote a (csms)')).toThrow(expect.objectContaining({ code: 'VAULT.0507', message: expect.stringMatching(/Another push to remote a \(csms\) is running \(in this process\)/) }));
    // Another key is independent.
    claimExclusive(vault, 'other', 'x')();
    release();
    release();
    expect(existsSync(claimPath(vault, 'k'))).toBe(false);
    claimExclusive(vault, 'k', 'again')();
  });

  it('another live process holds it: refused, naming that process; once it is killed, the stale claim is taken over', async () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    const child = await holder(vault, 'k');
    try {
      expect(() => claimExclusive(vault, 'k', 'test job')).toThrow(new RegExp(`process ${child.pid} on ${hostname()}, since .*; if that process is gone, remove ${claimPath(vault, 'k')}`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // Killed without releasing: its claim file is still there, naming a pid that is gone.
    expect(JSON.parse(readFileSync(claimPath(vault, 'k'), 'utf8'))).toMatchObject({ pid: child.pid });
    const release = claimExclusive(vault, 'k', 'test job');
    expect(JSON.parse(readFileSync(claimPath(vault, 'k'), 'utf8'))).toMatchObject({ pid: process.pid });
    release();
  });

  it('a claim file that is not a claim (truncated, foreign) is taken over; a claim by a finished process too', () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    writeFileSync(claimPath(vault, 'k'), '{"pid":');
    claimExclusive(vault, 'k', 'x')();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(claimPath(vault, 'k'), JSON.stringify({ pid: Number(gone.stdout), host: hostname(), token: 't', what: 'old', since: 'then' }));
    claimExclusive(vault, 'k', 'x')();
    expect(existsSync(claimPath(vault, 'k'))).toBe(false);
  });

  it("a claim from another machine is never taken over, even with a pid that is free here", () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(claimPath(vault, 'k'), JSON.stringify({ pid: Number(gone.stdout), host: 'elsewhere.invalid', token: 't', what: 'push', since: 'then' }));
    expect(() => claimExclusive(vault, 'k', 'x')).toThrow(/on elsewhere\.invalid/);
  });
});
