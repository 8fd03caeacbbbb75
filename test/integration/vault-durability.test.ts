// Durability and the anchor: the states a power cut or a kill can leave open the vault (or say
// exactly what is missing), a blocked anchor fails operations closed, and dead processes'
// temporary files are removed at the next open.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { anchorPath, readAnchor } from '../../electron/core/audit/anchor.js';
import { LocalErrors } from '../../shared/errors.js';
import { newSession, tempDir, TEST_PASSWORD } from '../helpers/vault.js';

const FILES = ['', '-wal'] as const;

/** What a power cut could leave on disk at one moment: the database, its WAL and the anchor. */
interface DiskState {
  db: string;
  anchor: string;
}

function capture(vault: string): DiskState {
  const dir = tempDir('keyhold-disk-');
  for (const f of FILES) if (existsSync(vault + f)) copyFileSync(vault + f, join(dir, `v${f}`));
  copyFileSync(anchorPath(vault), join(dir, 'anchor'));
  return { db: join(dir, 'v'), anchor: join(dir, 'anchor') };
}

/** A vault made of the database (and WAL) of one moment and the anchor of another. */
function assemble(db: DiskState, anchor: DiskState): string {
  const vault = join(tempDir(), 'vault.db');
  for (const f of FILES) if (existsSync(db.db + f)) copyFileSync(db.db + f, vault + f);
  copyFileSync(anchor.anchor, anchorPath(vault));
  return vault;
}

const newestSeq = (s: Session) => (s.vault.db.prepare('SELECT MAX(seq) AS n FROM audit').get() as { n: number }).n;

async function openOutcome(vault: string): Promise<{ code: string; session?: Session }> {
  try {
    return { code: 'opened', session: await Session.open(vault, { password: TEST_PASSWORD }) };
  } catch (e) {
    return { code: (e as { code: string }).code };
  }
}

/**
 * Three moments of one vault: `before` a read-only call, `after` it (its entry committed without
 * a WAL fsync, then anchored), and `written` after a mutating call. The session stays open, so
 * the WAL is never checkpointed away and each capture is what a power cut would leave.
 */
async function threeMoments() {
  const { session, path } = await newSession();
  const keyId = (await session.invoke('createKey', { key_alias: 'p' }, 'cli')).key_info.key_id;
  await vi.waitFor(() => expect(readAnchor(path).seq).toBe(newestSeq(session)));
  const before = capture(path);
  const beforeSeq = newestSeq(session);
  await session.invoke('listKeys', {}, 'cli');
  await session.invoke('describeKey', { key_id: keyId }, 'cli');
  await vi.waitFor(() => expect(readAnchor(path).seq).toBe(newestSeq(session)));
  const after = capture(path);
  const afterSeq = newestSeq(session);
  await session.invoke('disableKey', { key_id: keyId }, 'cli');
  const written = capture(path);
  session.close();
  return { before, after, written, beforeSeq, afterSeq, keyId };
}

describe('simulated power loss', () => {
  it('opens with the anchor behind the WAL (the order Keyhold writes in), and with both from one moment', async () => {
    const m = await threeMoments();
    for (const [db, anchor] of [
      [m.after, m.before],
      [m.written, m.before],
      [m.written, m.after],
      [m.before, m.before],
      [m.after, m.after],
    ] as const) {
      const { code, session } = await openOutcome(assemble(db, anchor));
      expect(code).toBe('opened');
      expect(await session?.call('audit', 'verify', {}, 'cli')).toMatchObject({ valid: true, losses: [] });
      session?.close();
    }
  });

  it('opens when the last transaction in the WAL is torn (SQLite drops it) and the anchor is older', async () => {
    const m = await threeMoments();
    const vault = assemble(m.written, m.after);
    truncateSync(`${vault}-wal`, statSync(`${vault}-wal`).size - 100);
    const { code, session } = await openOutcome(vault);
    expect(code).toBe('opened');
    expect(await session?.call('kms', 'describe-key', { key_id: m.keyId }, 'cli')).toMatchObject({ key_info: { key_state: '2' } });
    session?.close();
  });

  it('with the WAL from before a read-only call and the anchor from after it, opens and records exactly which entries are missing', async () => {
    const m = await threeMoments();
    const vault = assemble(m.before, m.after);
    const { code, session } = await openOutcome(vault);
    expect(code).toBe('opened');
    const s = session as Session;
    const verified = await s.invoke('auditVerify', {}, 'cli');
    expect(verified.losses).toEqual([{ at: m.beforeSeq + 1, from: m.beforeSeq + 1, to: m.afterSeq }]);
    const { events } = s.audit.list({ limit: 100, operation: 'audit entries lost' });
    expect(events).toMatchObject([{ transport: 'system', outcome: LocalErrors.AuditTruncated, fields: { from: m.beforeSeq + 1, to: m.afterSeq } }]);
    // The rest of the vault works.
    expect(await s.invoke('describeKey', { key_id: m.keyId }, 'cli')).toMatchObject({ key_info: { key_state: '2' } });
    s.close();
  });

  it('still refuses (AUDIT.0502, naming the missing entries) when the lost entries had changed records that are still there', async () => {
    const m = await threeMoments();
    // The database after the write, but its newest audit entry removed: records it does not explain.
    const vault = assemble(m.written, m.written);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(vault);
    db.prepare('DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)').run();
    db.close();
    const { code } = await openOutcome(vault);
    expect(code).toBe(LocalErrors.AuditTruncated);
    await expect(Session.open(vault, { password: TEST_PASSWORD })).rejects.toThrow(/entry \d+ is missing/);
  });
});

describe('anchor writes fail closed', () => {
  it('answers AUDIT.0505 to a write whose anchor cannot be written, refuses every call until it can, and leaves no temporary file', async () => {
    const { session, path, dir } = await newSession();
    await session.invoke('listKeys', {}, 'cli');
    await vi.waitFor(() => expect(readAnchor(path).seq).toBe(newestSeq(session)));
    rmSync(anchorPath(path));
    mkdirSync(anchorPath(path));
    writeFileSync(join(anchorPath(path), 'blocker'), '');
    for (let i = 0; i < 3; i++) {
      await expect(session.invoke('createKey', { key_alias: `blocked-${i}` }, 'cli')).rejects.toMatchObject({ code: LocalErrors.AuditAnchorWriteFailed });
    }
    await expect(session.invoke('listKeys', {}, 'cli')).rejects.toMatchObject({ code: LocalErrors.AuditAnchorWriteFailed });
    // The first create-key committed (its entry is in the log); the later ones never ran.
    expect(session.audit.list({ limit: 10, operation: 'kms create-key' }).events.map((e) => e.fields.key_alias)).toEqual(['blocked-0']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    rmSync(anchorPath(path), { recursive: true });
    expect(await session.invoke('listKeys', {}, 'cli')).toMatchObject({ keys: expect.any(Array) });
    const newest = newestSeq(session);
    session.close();
    expect(readAnchor(path).seq).toBe(newest);
  });

  it("removes anchor and restore temporary files of dead processes at open, and keeps a live process's", async () => {
    const { session, path, dir } = await newSession();
    session.close();
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const live = process.ppid;
    const deadAnchor = `${anchorPath(path)}.${dead}.7.tmp`;
    const deadRestore = `${path}.restore-${dead}.tmp`;
    const liveAnchor = `${anchorPath(path)}.${live}.1.tmp`;
    for (const f of [deadAnchor, deadRestore, liveAnchor]) writeFileSync(f, '{}');
    (await Session.open(path, { password: TEST_PASSWORD })).close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([liveAnchor.slice(dir.length + 1)]);
  });
});
