/**
 * The confirmation of signatures (desktop app): no answer in time is a denial and closes the
 * question; a failing dialog denies; "allow for this session" holds per key pair and program
 * only while the vault's unlocked session (epoch) lasts. The peer process is read from `ss -xp`
 * as iproute2 prints it, for a real connection of this process.
 */
import { createServer, connect, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIRM_TIMEOUT_MS, SignConfirmer, type SignAnswer } from '../../../electron/agent/confirm.js';
import { peerPid, peerProcess } from '../../../electron/agent/peer-process.js';
import { tempDir } from '../../helpers/vault.js';

const request = { keypair_name: 'k', fingerprint: 'SHA256:x', process: { pid: 1, command: 'ssh host' } };

describe('SignConfirmer', () => {
  afterEach(() => vi.useRealTimers());

  it('denies when nobody answers in time, and closes the question', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const c = new SignConfirmer((_r, s) => {
      signal = s;
      return new Promise<SignAnswer>(() => undefined);
    });
    const decided = c.decide(request, 0);
    await vi.advanceTimersByTimeAsync(CONFIRM_TIMEOUT_MS);
    expect(await decided).toBe('timed-out');
    expect(signal?.aborted).toBe(true);
  });

  it('a dialog that fails denies', async () => {
    expect(await new SignConfirmer(async () => Promise.reject(new Error('no display'))).decide(request, 0)).toBe('denied');
  });

  it('"allow for this session" holds for that key pair and program until the epoch changes', async () => {
    const answers: SignAnswer[] = ['session', 'once', 'deny'];
    let asked = 0;
    const c = new SignConfirmer(async () => {
      asked++;
      return answers.shift() ?? 'deny';
    });
    expect(await c.decide(request, 3)).toBe('allowed-for-session');
    expect(await c.decide(request, 3)).toBe('allowed-earlier-this-session');
    // Another program, the same key pair: asked again.
    expect(await c.decide({ ...request, process: { pid: 2, command: 'scp f host:' } }, 3)).toBe('allowed-once');
    // The vault locked and was unlocked since: asked again.
    expect(await c.decide(request, 4)).toBe('denied');
    expect(asked).toBe(3);
  });
});

describe('the program at the other end of the socket (Linux, ss -xp)', () => {
  it('finds the pid holding the peer of a socket', () => {
    const ss = [
      'Netid State Recv-Q Send-Q Local Address:Port   Peer Address:Port  Process',
      'u_str ESTAB 0      0      /run/user/0/keyhold/a.ssh.sock 5001            * 5002 users:(("node",pid=10,fd=21))',
      'u_str ESTAB 0      0                  * 5002            * 5001 users:(("ssh",pid=77,fd=3))',
      'u_str ESTAB 0      0                  * 6000            * 6001',
    ].join('\n');
    expect(peerPid(ss, 5001)).toBe(77);
    expect(peerPid(ss, 6000)).toBeUndefined();
    expect(peerPid(ss, 9999)).toBeUndefined();
    expect(peerPid('', 1)).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')('names this very process for a connection it made itself', async () => {
    try {
      execFileSync('ss', ['-V']);
    } catch {
      return;
    }
    const path = join(tempDir(), 's.sock');
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer(resolve);
      server.listen(path, () => connect(path));
    });
    const peer = await peerProcess(await accepted);
    expect(peer?.pid).toBe(process.pid);
    expect(peer?.command).toContain(process.argv0.split('/').pop() ?? 'node');
  });
});
