/**
 * The exec-channel fallback's pure parts (POSIX sh words, `ls -lnd` lines) and the step
 * timeout: a server that never answers ends the step with a failure instead of a hang.
 */
import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskFailure, TaskFailures } from '../../../../electron/core/keypairs/binding/errors.js';
import { parseLsLine, shQuote, writeTempCommand } from '../../../../electron/core/keypairs/binding/posix-sh.js';
import { Remote } from '../../../../electron/core/keypairs/binding/remote.js';

describe('posix-sh', () => {
  it('quotes any string into one sh word', () => {
    expect(shQuote("/home/o'brien/.ssh")).toBe(`'/home/o'\\''brien/.ssh'`);
    fc.assert(
      fc.property(fc.string(), (s) => {
        const q = shQuote(s);
        // Outside the quotes only the escaped quote sequence appears.
        expect(q.startsWith("'") && q.endsWith("'")).toBe(true);
        expect(q.slice(1, -1).split(`'\\''`).join('')).toBe(s.split("'").join(''));
      }),
    );
  });

  it('reads ls -lnd lines: type, mode bits with setuid/setgid/sticky, numeric owner', () => {
    expect(parseLsLine('-rw------- 1 1001 1002 120 Dec  3 10:00 /home/u/.ssh/authorized_keys')).toEqual({ kind: 'file', mode: 0o600, uid: 1001, gid: 1002 });
    expect(parseLsLine('drwx------. 2 1001 1001 4096 Dec  3 10:00 /home/u/.ssh')).toEqual({ kind: 'dir', mode: 0o700, uid: 1001, gid: 1001 });
    expect(parseLsLine('lrwxrwxrwx 1 0 0 7 Dec  3 10:00 /a -> b')).toEqual({ kind: 'link', mode: 0o777, uid: 0, gid: 0 });
    expect(parseLsLine('drwxrwxrwt+ 9 0 0 4096 Dec  3 10:00 /tmp')).toEqual({ kind: 'dir', mode: 0o1777, uid: 0, gid: 0 });
    expect(parseLsLine('-rwsr-Sr-T 1 0 0 1 Dec  3 10:00 /x')).toEqual({ kind: 'file', mode: 0o7744, uid: 0, gid: 0 });
    expect(parseLsLine('ls: cannot access')).toBeUndefined();
    expect(parseLsLine('-rw------- 1 alice alice 1 Dec 3 10:00 /x')).toBeUndefined();
    expect(parseLsLine('-rw------- 1 99999999999999999999999 0 1 Dec 3 10:00 /x')).toBeUndefined();
  });

  it('any text a server prints gives a stat within bounds or undefined, never a throw', () => {
    const lsLike = fc
      .tuple(fc.constantFrom('-', 'd', 'l', 'x'), fc.stringMatching(/^[-rwxsStT]{9}$/), fc.constantFrom('', '+', '.', '@'), fc.nat(), fc.nat(), fc.string())
      .map(([t, m, mark, uid, gid, rest]) => `${t}${m}${mark} 1 ${uid} ${gid} ${rest}`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), lsLike), (line) => {
        const st = parseLsLine(line);
        if (st === undefined) return;
        expect(st.mode).toBeGreaterThanOrEqual(0);
        expect(st.mode).toBeLessThanOrEqual(0o7777);
        expect(Number.isSafeInteger(st.uid) && Number.isSafeInteger(st.gid)).toBe(true);
      }),
    );
  });

  it('writes the temp file with the target mode and owner, never over an existing file', () => {
    const cmd = writeTempCommand('/h/.ssh/.authorized_keys.keyhold-tmp-ab', 0o640, { uid: 1001, gid: 1002 });
    expect(cmd).toContain('umask 077 && set -C && cat > ');
    expect(cmd).toContain("chmod 640 '/h/.ssh/.authorized_keys.keyhold-tmp-ab'");
    expect(cmd).toContain("chown 1001:1002 '/h/.ssh/.authorized_keys.keyhold-tmp-ab'");
  });
});

/** A connection whose server never answers a channel request. */
class SilentClient extends EventEmitter {
  destroyed = false;
  sftp(): void {}
  exec(): void {}
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

describe('Remote step timeout', () => {
  it('a server that answers neither sftp nor exec fails the open, and the connection is closed', async () => {
    const client = new SilentClient();
    const err = await Remote.open(client as unknown as Client, { stepTimeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailure);
    expect((err as TaskFailure).code).toBe(TaskFailures.ConnectionLost);
    expect((err as TaskFailure).message).toMatch(/no answer to "echo keyhold-exec-ok" within 0.05 s/);
    expect(client.destroyed).toBe(true);
  });

  it('an exec channel the server refuses (and no sftp) is a clear failure, not a hang', async () => {
    const client = new SilentClient();
    client.sftp = ((cb: (e: Error) => void) => cb(new Error('Unable to start subsystem: sftp'))) as never;
    client.exec = ((_c: string, cb: (e: Error) => void) => cb(new Error('Channel open failure: administratively prohibited'))) as never;
    const err = await Remote.open(client as unknown as Client, { stepTimeoutMs: 1000 }).catch((e: unknown) => e);
    expect((err as TaskFailure).code).toBe(TaskFailures.RemoteFileError);
    expect((err as TaskFailure).message).toContain('neither an sftp subsystem nor a shell');
  });
});
