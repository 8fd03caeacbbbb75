// Verification reads one snapshot: while another process commits without pause, `audit verify`,
// `vault verify` and unlock's checks never report an untampered vault as tampered, and a tamper
// made during the run is still caught.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { LocalErrors } from '../../shared/errors.js';
import { newSession, PROJECT_ROOT, TEST_PASSWORD } from '../helpers/vault.js';

const RUNS = 50;

let writer: ChildProcess | undefined;
afterEach(() => writer?.kill('SIGKILL'));

/** Starts the busy writer; resolves once it has committed its first write. */
function startWriter(vault: string, keyId: string): Promise<{ writes: () => number; done: Promise<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/helpers/busy-writer.ts'), vault, TEST_PASSWORD, keyId, '20000'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  writer = child;
  let writes = 0;
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<string>((res) => child.on('close', () => res(err)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      writes += d.toString().split('\n').length - 1;
      resolve({ writes: () => writes, done });
    });
    void done.then((e) => reject(new Error(`writer ended before writing: ${e}`)));
  });
}

/** Resolves once the writer has committed more than `n` writes (polling; bounded to 60 s). */
async function wroteMoreThan(writes: () => number, n: number): Promise<void> {
  for (let waited = 0; writes() <= n; waited += 5) {
    if (waited > 60_000) throw new Error(`the writer made no write in 60 s (after ${n})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

async function twoKeys() {
  const { session, path } = await newSession();
  const busy = (await session.invoke('createKey', { key_alias: 'busy' }, 'cli')).key_info.key_id;
  const quiet = (await session.invoke('createKey', { key_alias: 'quiet' }, 'cli')).key_info.key_id;
  return { session, path, busy, quiet };
}

describe('verification under a concurrent writer', () => {
  it(`raises no alarm in ${RUNS} audit verify + vault verify runs and ${RUNS / 5} unlocks while another process commits`, async () => {
    const { session, path, busy } = await twoKeys();
    const w = await startWriter(path, busy);
    const alarms: string[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        // Each round starts after another commit of the writer, so the checks interleave with its writes.
        await wroteMoreThan(w.writes, w.writes());
        for (const op of ['audit verify', 'vault verify']) {
          const [service, name] = op.split(' ') as [string, string];
          const r = await outcome(() => session.call(service, name, {}, 'cli'));
          if (r !== 'ok') alarms.push(`${op}: ${r}`);
        }
        if (i % 5 === 0) {
          const r = await outcome(async () => (await Session.open(path, { password: TEST_PASSWORD })).close());
          if (r !== 'ok') alarms.push(`unlock: ${r}`);
        }
      }
    } finally {
      session.close();
    }
    expect(alarms).toEqual([]);
  });

  it('still catches a record replayed and an audit entry altered while the writer runs', async () => {
    const { session, path, busy, quiet } = await twoKeys();
    const db = new Database(path);
    db.pragma('busy_timeout = 10000');
    const old = db.prepare('SELECT rev, body FROM records WHERE tbl = ? AND id = ?').get('kms_keys', quiet) as { rev: number; body: Buffer };
    await session.invoke('disableKey', { key_id: quiet }, 'cli');
    await startWriter(path, busy);
    try {
      expect(await outcome(() => session.invoke('vaultVerify', {}, 'cli'))).toBe('ok');
      db.prepare('UPDATE records SET rev = ?, body = ? WHERE tbl = ? AND id = ?').run(old.rev, old.body, 'kms_keys', quiet);
      for (let i = 0; i < 5; i++) {
        expect(await outcome(() => session.invoke('vaultVerify', {}, 'cli'))).toBe(LocalErrors.RecordReplayed);
        expect(await outcome(() => session.invoke('auditVerify', {}, 'cli'))).toBe(LocalErrors.RecordReplayed);
      }
      // Put it back, then rewrite an old audit entry: the chain check finds it every time.
      db.prepare('UPDATE records SET rev = ?, body = ? WHERE tbl = ? AND id = ?').run(
        old.rev + 1,
        (db.prepare('SELECT body FROM records WHERE tbl = ? AND id = ?').get('kms_keys', busy) as { body: Buffer }).body,
        'kms_keys',
        quiet,
      );
      db.prepare("UPDATE audit SET entry = entry || ' ' WHERE seq = 2").run();
      for (let i = 0; i < 5; i++) expect(await outcome(() => session.invoke('auditVerify', {}, 'cli'))).toBe(LocalErrors.AuditChainBroken);
    } finally {
      db.close();
      session.close();
    }
  });
});
