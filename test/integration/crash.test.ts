// Crash safety: a writer is SIGKILLed at random moments, 24 times; after each kill the vault
// reopens, its audit chain verifies, every write that reported success is in the log, and the
// key's state agrees with the writes that committed.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { cli, initVault, PROJECT_ROOT, TEST_PASSWORD } from '../helpers/vault.js';

/**
 * Kills the writer `afterMs` after it started (`from: 'start'`, which may land during start-up
 * or unlock) or after its first reported write (`from: 'writing'`, so the kill lands among
 * commits however slow the machine is).
 */
function runAndKill(vault: string, keyId: string, afterMs: number, from: 'start' | 'writing'): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/helpers/crash-writer.ts'), vault, TEST_PASSWORD, keyId], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs));
  child.stdout.on('data', (d) => {
    out += d;
    if (from === 'writing') arm();
  });
  child.stderr.on('data', (d) => (err += d));
  if (from === 'start') arm();
  return new Promise((resolve, reject) =>
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself: ${err}`));
      else resolve(out.split('\n').filter((l) => l.endsWith('-key')).length);
    }),
  );
}

async function committedToggles(vault: string, keyId: string): Promise<{ toggles: number; state: string }> {
  const session = await Session.open(vault, { password: TEST_PASSWORD });
  try {
    expect((await session.audit.verify()).entries).toBeGreaterThan(0);
    let toggles = 0;
    let marker: number | undefined;
    do {
      const page = session.audit.list({ limit: 1000, marker, key_id: keyId });
      toggles += page.events.filter((e) => /^kms (enable|disable)-key$/.test(e.operation) && e.outcome === 'success').length;
      marker = page.next_marker ?? undefined;
    } while (marker !== undefined);
    const { key_info } = await session.invoke('describeKey', { key_id: keyId }, 'cli');
    return { toggles, state: key_info.key_state };
  } finally {
    session.close();
  }
}

describe('crash safety', () => {
  it('keeps every reported write and a valid audit chain across 24 SIGKILLs', async () => {
    const vault = initVault();
    const keyId = (cli(vault, ['kms', 'create-key', '--key-alias', 'crash']).json as { key_info: { key_id: string } }).key_info.key_id;
    let reported = 0;
    let rounds = 0;
    let killedMidLoop = 0;
    for (let round = 0; round < 24; round++) {
      const n = round % 3 === 0 ? await runAndKill(vault, keyId, randomInt(100, 1500), 'start') : await runAndKill(vault, keyId, randomInt(0, 250), 'writing');
      reported += n;
      rounds++;
      if (n > 0) killedMidLoop++;
      const { toggles, state } = await committedToggles(vault, keyId);
      // Every reported write committed; at most one unreported write per kill may also have.
      expect(toggles).toBeGreaterThanOrEqual(reported);
      expect(toggles).toBeLessThanOrEqual(reported + rounds);
      expect(state).toBe(toggles % 2 === 0 ? '2' : '3');
    }
    // Most kills must have landed while writes were happening, not only during start-up.
    expect(killedMidLoop).toBeGreaterThanOrEqual(16);
    expect(cli(vault, ['audit', 'verify']).json).toMatchObject({ valid: true });
    // Each reopen removed the anchor files the killed writers left half-written.
    expect(readdirSync(dirname(vault)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
