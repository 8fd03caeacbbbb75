/**
 * The audit chain's head, kept outside the database in a small file beside the vault
 * (`<vault>.audit-head`), written atomically and fsynced after every commit. Deleting the
 * newest audit rows leaves the database behind this anchor, which `verify` reports.
 * The anchor may lag the database by the commits of a crash; it may never lead it. So the file
 * is fsynced before the rename (a rename must never expose an empty anchor), but the directory
 * is not: a rename lost to power failure leaves an older anchor, which is allowed.
 *
 * After each commit the anchor is written off the event loop (AnchorWriter.soon, coalescing
 * bursts of commits into one write), so neither the fsync nor the rename (often slower than the
 * fsync here, at half a millisecond) stalls the Electron main process or the group commit;
 * closing the vault writes the final head synchronously.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';

export interface AnchorHead {
  vault_id: string;
  seq: number;
  mac: string;
}

export function anchorPath(vaultPath: string): string {
  return `${vaultPath}.audit-head`;
}

export class AnchorWriter {
  private generation = 0;
  private inFlight = false;
  private pending: AnchorHead | null = null;
  /** The temporary file the asynchronous writer may be renaming into place right now. */
  private renaming: string | null = null;

  constructor(private readonly vaultPath: string) {}

  private tmp(gen: number): string {
    return `${anchorPath(this.vaultPath)}.${process.pid}.${gen}.tmp`;
  }

  /** Writes `head` soon, asynchronously; a newer head supersedes one not yet written. */
  soon(head: AnchorHead): void {
    this.pending = head;
    if (!this.inFlight) void this.drain();
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.pending) {
        const head = this.pending;
        this.pending = null;
        const gen = ++this.generation;
        const tmp = this.tmp(gen);
        const fh = await open(tmp, 'w', 0o600);
        try {
          await fh.writeFile(JSON.stringify(head));
          await fh.sync();
        } finally {
          await fh.close();
        }
        // A synchronous write since (`now`) is newer: never let this older head replace it.
        // (One made while the rename below is queued is kept safe by `now` itself.)
        if (gen !== this.generation) {
          await rm(tmp, { force: true });
          continue;
        }
        this.renaming = tmp;
        await rename(tmp, anchorPath(this.vaultPath));
        this.renaming = null;
      }
    } catch {
      // The next `now` (at the latest when the vault closes) writes the head or reports why not.
    } finally {
      this.inFlight = false;
      this.renaming = null;
    }
  }

  /** Writes `head` before returning (creation, restore, close); supersedes writes in flight. */
  now(head: AnchorHead): void {
    this.pending = null;
    // An older head's rename may still be queued off the event loop. Removing its source first
    // makes it fail if it has not happened yet, so it can never land after the rename below.
    if (this.renaming) rmSync(this.renaming, { force: true });
    const tmp = this.tmp(++this.generation);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(head));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, anchorPath(this.vaultPath));
  }
}

export function readAnchor(vaultPath: string): AnchorHead {
  const bad = (why: string) => new KeyholdError(LocalErrors.AuditAnchorInvalid, `Audit anchor ${anchorPath(vaultPath)} ${why}.`, 500);
  let text: string;
  try {
    text = readFileSync(anchorPath(vaultPath), 'utf8');
  } catch {
    throw bad('is missing');
  }
  if (text.length > 4096) throw bad('is too large');
  try {
    const h = JSON.parse(text) as AnchorHead;
    if (typeof h.vault_id === 'string' && Number.isSafeInteger(h.seq) && h.seq >= 0 && typeof h.mac === 'string') return h;
  } catch {
    // fall through to the typed error
  }
  throw bad('is malformed');
}
