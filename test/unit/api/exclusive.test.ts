// One-at-a-time claims beside the vault (api/exclusive.ts): refused while a live process holds
// one, taken over from a process that is gone, released once. The other process is a real one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
    expect(() => claimExclusive(vault, 'k', 'push to remote a (csms)')).toThrow(
      expect.objectContaining({ code: 'VAULT.0507', message: expect.stringMatching(/Another push to remote a \(csms\) is running \(in this process\)/) }),
    );
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
      expect(() => claimExclusive(vault, 'k', 'test job')).toThrow(
        new RegExp(`process ${child.pid} on ${hostname()}, since .*; if that process is gone, remove ${claimPath(vault, 'k')}`),
      );
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

  it('a claim by a process that has finished is taken over; a file that is not a claim never is', () => {
    const dir = tempDir('keyhold-claim-');
    const vault = vaultIn(dir);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(claimPath(vault, 'k'), JSON.stringify({ pid: Number(gone.stdout), host: hostname(), token: 't', what: 'old', since: 'then' }));
    claimExclusive(vault, 'k', 'x')();
    expect(existsSync(claimPath(vault, 'k'))).toBe(false);
    // What cannot be read may be a live claim (another user's, say): refused, naming the file.
    writeFileSync(claimPath(vault, 'k'), '{"pid":');
    expect(() => claimExclusive(vault, 'k', 'x')).toThrow(
      new RegExp(`cannot be read \\(not a claim\\); if no such operation is running, remove ${claimPath(vault, 'k')}`),
    );
    expect(readFileSync(claimPath(vault, 'k'), 'utf8')).toBe('{"pid":');
    // No temporary file is left behind, refused or not.
    expect(readdirSync(dir).filter((f) => /\.(tmp|stale)$/.test(f))).toEqual([]);
  });

  it("a claim naming this process's pid that this process does not hold (an earlier process had the pid) is taken over", () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    writeFileSync(claimPath(vault, 'k'), JSON.stringify({ pid: process.pid, host: hostname(), token: 'earlier', what: 'x', since: 'then' }));
    const release = claimExclusive(vault, 'k', 'x');
    expect(JSON.parse(readFileSync(claimPath(vault, 'k'), 'utf8'))).not.toMatchObject({ token: 'earlier' });
    release();
  });

  it('a release never removes a claim that is no longer its own', () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    const release = claimExclusive(vault, 'k', 'x');
    // Taken over meanwhile (say this process was judged gone): the file now names another claim.
    const theirs = JSON.stringify({ pid: 1, host: hostname(), token: 'theirs', what: 'x', since: 'now' });
    writeFileSync(claimPath(vault, 'k'), theirs);
    release();
    expect(readFileSync(claimPath(vault, 'k'), 'utf8')).toBe(theirs);
  });

  it('a vault reached through a symlink or spelled another way has the same claim', () => {
    const dir = tempDir('keyhold-claim-');
    writeFileSync(join(dir, 'real.db'), '');
    symlinkSync(join(dir, 'real.db'), join(dir, 'link.db'));
    const release = claimExclusive(join(dir, 'link.db'), 'k', 'push');
    expect(() => claimExclusive(join(dir, 'real.db'), 'k', 'push')).toThrow(/in this process/);
    expect(() => claimExclusive(`${dir}/./real.db`, 'k', 'push')).toThrow(/in this process/);
    release();
  });

  it('a claim from another machine is never taken over, even with a pid that is free here', () => {
    const vault = vaultIn(tempDir('keyhold-claim-'));
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(claimPath(vault, 'k'), JSON.stringify({ pid: Number(gone.stdout), host: 'elsewhere.invalid', token: 't', what: 'push', since: 'then' }));
    expect(() => claimExclusive(vault, 'k', 'x')).toThrow(/on elsewhere\.invalid/);
  });
});
