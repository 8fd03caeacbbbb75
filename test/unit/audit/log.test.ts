import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { LocalErrors } from '../../../shared/errors.js';
import { readAnchor } from '../../../electron/core/audit/anchor.js';
import { entryText } from '../../../electron/core/audit/log.js';
import { Session } from '../../../electron/core/api/index.js';
import { cli, newSession, TEST_PASSWORD } from '../../helpers/vault.js';

describe('audit log', () => {
  it('writes one entry per operation with transport, operation, key id and outcome — never the plaintext', async () => {
    const { session } = await newSession();
    const { key_info } = await session.invoke('createKey', { key_alias: 'audited' }, 'cli');
    await session.invoke('encryptData', { key_id: key_info.key_id, plain_text: 'top secret payload' }, 'ipc');
    await session.invoke('describeKey', { key_id: '00000000-0000-4000-8000-000000000000' }, 'http').catch(() => undefined);
    const { events } = session.audit.list({ limit: 3 });
    expect(events.map((e) => [e.transport, e.operation, e.outcome])).toEqual([
      ['http', 'kms describe-key', 'KMS.0207'],
      ['ipc', 'kms encrypt-data', 'success'],
      ['cli', 'kms create-key', 'success'],
    ]);
    expect(events[1]?.key_id).toBe(key_info.key_id);
    expect(events[2]?.fields).toEqual({ key_alias: 'audited', key_spec: 'AES_256', origin: 'kms' });
    const raw = JSON.stringify(session.vault.db.prepare('SELECT entry FROM audit').all());
    expect(raw).not.toContain('top secret payload');
    session.close();
  });

  it('fails the operation — and applies nothing — when the audit write fails', async () => {
    const { session } = await newSession();
    await session.invoke('listKeys', {}, 'cli');
    const before = session.vault.db.prepare('SELECT tbl, id, rev FROM records').all();
    session.vault.db.exec("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(FAIL, 'disk full'); END");
    await expect(session.invoke('createKey', { key_alias: 'unaudited' }, 'cli')).rejects.toMatchObject({ code: LocalErrors.AuditWriteFailed });
    await expect(session.invoke('listKeys', {}, 'cli')).rejects.toMatchObject({ code: LocalErrors.AuditWriteFailed });
    expect(session.vault.db.prepare('SELECT tbl, id, rev FROM records').all()).toEqual(before);
    session.close();
  });

  it('moves the anchor beside the vault to the newest entry soon after each commit, and on close', async () => {
    const { session, path } = await newSession();
    const newest = () => {
      const last = session.vault.db.prepare('SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; mac: Buffer };
      return { seq: last.seq, mac: last.mac.toString('hex'), vault_id: session.vault.header.vault_id };
    };
    await session.invoke('listKeys', {}, 'cli');
    const afterFirst = newest();
    await vi.waitFor(() => expect(readAnchor(path)).toEqual(afterFirst));
    await Promise.all(Array.from({ length: 20 }, () => session.invoke('listKeys', {}, 'cli')));
    const final = newest();
    session.close();
    expect(readAnchor(path)).toEqual(final);
  });

  it('writes each entry exactly as JSON.stringify({ seq, time, ...input, writes, state }) would', () => {
    const text = fc.string({ unit: 'binary' });
    const input = fc.record({
      transport: text,
      operation: text,
      key_id: fc.option(text, { nil: null }),
      outcome: text,
      fields: fc.dictionary(text, fc.jsonValue()),
    });
    const writes = fc.array(fc.tuple(text, text, fc.nat()));
    fc.assert(
      fc.property(
        fc.nat(),
        fc.date({ noInvalidDate: true }),
        input,
        writes,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (seq, date, entry, w, stateBytes) => {
          const time = date.toISOString();
          const state = Buffer.from(stateBytes).toString('hex');
          expect(entryText(seq, JSON.stringify(time), entry, JSON.stringify(w), state)).toBe(JSON.stringify({ seq, time, ...entry, writes: w, state }));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('chains from the newest row even when its own last append was rolled back or another process appended', async () => {
    const { session, path } = await newSession();
    await session.invoke('listKeys', {}, 'cli');
    // A mutating call whose entry is appended, then its COMMIT fails (a deferred foreign key) and
    // the transaction rolls back: the next entry must not chain from the one rolled back.
    session.vault.db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY);
      CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER late_failure AFTER INSERT ON audit WHEN NEW.entry LIKE '%rolled-back%' BEGIN INSERT INTO c VALUES (42); END`);
    await expect(session.invoke('createKey', { key_alias: 'rolled-back' }, 'cli')).rejects.toThrow(/FOREIGN KEY/);
    // Back to the vault's own schema (an open refuses any other: vault/db.ts).
    session.vault.db.exec('DROP TRIGGER late_failure; DROP TABLE c; DROP TABLE p;');
    await session.invoke('listKeys', {}, 'cli');
    // Another process appends (through the same dispatcher) between two of ours.
    const other = await Session.open(path, { password: TEST_PASSWORD });
    await other.invoke('createKey', { key_alias: 'from-elsewhere' }, 'cli');
    other.close();
    await Promise.all(Array.from({ length: 10 }, () => session.invoke('listKeys', {}, 'cli')));
    await session.invoke('createKey', { key_alias: 'after' }, 'cli');
    expect((await session.audit.verify()).entries).toBeGreaterThan(10);
    session.close();
    expect(cli(path, ['audit', 'verify']).json).toMatchObject({ valid: true });
  });

  it('pages list-events newest first with a marker', async () => {
    const { session } = await newSession();
    for (let i = 0; i < 5; i++) await session.invoke('listKeys', {}, 'cli');
    const first = session.audit.list({ limit: 2 });
    const second = session.audit.list({ limit: 2, marker: first.next_marker ?? undefined });
    expect(first.events).toHaveLength(2);
    expect(second.events[0]!.seq).toBe(first.events[1]!.seq - 1);
    session.close();
  });

  it('group-commits concurrent read-only operations, one entry each', async () => {
    const { session } = await newSession();
    await session.invoke('listKeys', {}, 'cli');
    const before = (session.vault.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    await Promise.all(Array.from({ length: 50 }, () => session.invoke('listKeys', {}, 'cli')));
    expect((session.vault.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(before + 50);
    expect((await session.audit.verify()).entries).toBe(before + 50);
    session.close();
  });

  it('keeps one verifiable chain through many concurrent reads, writes and failures', async () => {
    const { session, path } = await newSession();
    const { key_info } = await session.invoke('createKey', { key_alias: 'busy' }, 'cli');
    const before = (await session.audit.verify()).entries;
    const calls = Array.from({ length: 300 }, (_, i) => {
      if (i % 50 === 7) return session.invoke('createKey', { key_alias: `busy-${i}` }, 'cli');
      if (i % 10 === 3) return session.invoke('describeKey', { key_id: '00000000-0000-4000-8000-000000000000' }, 'http').catch(() => undefined);
      return session.invoke('encryptData', { key_id: key_info.key_id, plain_text: `message ${i}` }, 'ipc');
    });
    await Promise.all(calls);
    // Every call has its own entry: successes, the refused describe-key calls, the writes.
    expect((await session.audit.verify()).entries).toBe(before + 300);
    session.close();
    expect(cli(path, ['audit', 'verify']).json).toMatchObject({ valid: true, entries: before + 300 });
  });
});
