// The anchor is written in the background after commits and synchronously on close; the close's
// head must win whatever stage the background write has reached, its rename included. It never
// names an entry the disk may not keep: the WAL is fsynced before each rename.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AnchorWriter, readAnchor, type AnchorHead } from '../../../electron/core/audit/anchor.js';
import { LocalErrors } from '../../../shared/errors.js';
import { tempDir } from '../../helpers/vault.js';

// The background rename is held at a gate, so a synchronous write can be made while it is queued.
// Every fsync of the WAL and every rename is logged in order.
const gate = vi.hoisted(() => ({ queued: null as (() => void) | null, release: Promise.resolve(), log: [] as string[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (path: string, ...rest: Parameters<typeof actual.open> extends [unknown, ...infer R] ? R : never) => {
      const fh = await actual.open(path, ...rest);
      if (path.endsWith('-wal')) {
        const sync = fh.sync.bind(fh);
        fh.sync = async () => {
          await sync();
          gate.log.push('wal fsync');
        };
      }
      return fh;
    },
    rename: async (from: string, to: string) => {
      gate.queued?.();
      await gate.release;
      await actual.rename(from, to);
      gate.log.push('anchor rename');
    },
  };
});

const head = (seq: number): AnchorHead => ({ vault_id: 'v', seq, mac: String(seq).repeat(4) });

describe('anchor writer', () => {
  it('writes heads in the background, the newest last', async () => {
    const vaultPath = join(tempDir(), 'v.db');
    const writer = new AnchorWriter(vaultPath);
    for (let seq = 1; seq <= 5; seq++) void writer.write(head(seq));
    await vi.waitFor(() => expect(readAnchor(vaultPath)).toEqual(head(5)));
  });

  it('never lets an older head whose rename is queued land after a synchronous write', async () => {
    const vaultPath = join(tempDir(), 'v.db');
    const writer = new AnchorWriter(vaultPath);
    let release!: () => void;
    gate.release = new Promise((r) => (release = r));
    const queued = new Promise<void>((r) => (gate.queued = r));
    void writer.write(head(1));
    await queued;
    writer.now(head(2));
    release();
    // Give the held rename every chance to land.
    await new Promise((r) => setTimeout(r, 50));
    expect(readAnchor(vaultPath)).toEqual(head(2));
    gate.queued = null;
  });

  it('fsyncs the WAL before every rename of the anchor, so it never names an entry a power cut can lose', async () => {
    const vaultPath = join(tempDir(), 'v.db');
    writeFileSync(`${vaultPath}-wal`, 'frames');
    const writer = new AnchorWriter(vaultPath);
    gate.log = [];
    await writer.write(head(1));
    await writer.write(head(2));
    expect(gate.log).toEqual(['wal fsync', 'anchor rename', 'wal fsync', 'anchor rename']);
    expect(readAnchor(vaultPath)).toEqual(head(2));
  });

  it('rejects with AUDIT.0505 when the anchor cannot be written, and leaves no temporary file', async () => {
    const vaultPath = join(tempDir(), 'v.db');
    mkdirSync(`${vaultPath}.audit-head`);
    writeFileSync(join(`${vaultPath}.audit-head`, 'x'), 'blocks the rename');
    const writer = new AnchorWriter(vaultPath);
    await expect(writer.write(head(1))).rejects.toMatchObject({ code: LocalErrors.AuditAnchorWriteFailed });
    expect(() => writer.now(head(2))).toThrow(expect.objectContaining({ code: LocalErrors.AuditAnchorWriteFailed }));
    expect(readdirSync(dirname(vaultPath)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
