// The anchor is written in the background after commits and synchronously on close; the close's
// head must win whatever stage the background write has reached, its rename included.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AnchorWriter, readAnchor, type AnchorHead } from '../../../electron/core/audit/anchor.js';
import { tempDir } from '../../helpers/vault.js';

// The background rename is held at a gate, so a synchronous write can be made while it is queued.
const gate = vi.hoisted(() => ({ queued: null as (() => void) | null, release: Promise.resolve() }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      gate.queued?.();
      await gate.release;
      return actual.rename(from, to);
    },
  };
});

const head = (seq: number): AnchorHead => ({ vault_id: 'v', seq, mac: String(seq).repeat(4) });

describe('anchor writer', () => {
  it('writes heads in the background, the newest last', async () => {
    const vaultPath = join(tempDir(), 'v.db');
    const writer = new AnchorWriter(vaultPath);
    for (let seq = 1; seq <= 5; seq++) writer.soon(head(seq));
    await vi.waitFor(() => expect(readAnchor(vaultPath)).toEqual(head(5)));
  });

  it('never lets an older head whose rename is queued land after a synchronous write', async () => {
    const vaultPath = join(tempDir(), 'v.db');
    const writer = new AnchorWriter(vaultPath);
    let release!: () => void;
    gate.release = new Promise((r) => (release = r));
    const queued = new Promise<void>((r) => (gate.queued = r));
    writer.soon(head(1));
    await queued;
    writer.now(head(2));
    release();
    // Give the held rename every chance to land.
    await new Promise((r) => setTimeout(r, 50));
    expect(readAnchor(vaultPath)).toEqual(head(2));
    gate.queued = null;
  });
});
