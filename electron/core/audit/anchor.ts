/**
 * The audit chain's head, kept outside the database in a small file beside the vault
 * (`<vault>.audit-head`), written atomically and fsynced after every commit. Deleting the
 * newest audit rows leaves the database behind this anchor, which `verify` reports.
 *
 * The anchor may lag the database by the commits of a crash; it may never lead what the disk
 * keeps. So every write first fsyncs the vault's WAL (read-only calls' entries commit without
 * one, docs/vault-format.md "Durability"), then writes the head to a temporary file, fsyncs it
 * (a rename must never expose an empty anchor) and renames it into place. The directory is not
 * fsynced: a rename lost to power failure leaves an older anchor, which is allowed.
 *
 * After each commit the anchor is written off the event loop (`write`, coalescing bursts of
 * commits into one write), so neither the fsyncs nor the rename stall the Electron main process
 * or the group commit; closing the vault writes the final head synchronously (`now`). A write
 * that fails removes its temporary file and rejects with AUDIT.0505.
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

/** The temporary file a process writes an anchor to before renaming it into place. */
export function anchorTempPath(vaultPath: string, pid: number, n: number): string {
  return `${anchorPath(vaultPath)}.${pid}.${n}.tmp`;
}

/** Numbers temporary files across every writer of this process (two sessions may share a vault). */
let tempCount = 0;

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

function writeFailed(vaultPath: string, e: unknown): KeyholdError {
  return new KeyholdError(
    LocalErrors.AuditAnchorWriteFailed,
    `The audit anchor ${anchorPath(vaultPath)} could not be written (${(e as Error).message}): the operation was committed and audited, but no further operation runs until the anchor can be written.`,
    500,
  );
}

/** A requested head and everyone waiting for it (or for a newer one) to be in place. */
interface Job {
  head: AnchorHead;
  done: Promise<void>;
  resolve: () => void;
  reject: (e: KeyholdError) => void;
}

function newJob(head: AnchorHead): Job {
  let resolve!: () => void;
  let reject!: (e: KeyholdError) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { head, done, resolve, reject };
}

export class AnchorWriter {
  private generation = 0;
  private inFlight = false;
  private pending: Job | null = null;
  /** The temporary file the asynchronous writer may be renaming into place right now. */
  private renaming: string | null = null;

  constructor(private readonly vaultPath: string) {}

  /**
   * Writes `head` soon, off the event loop; a newer head supersedes one not yet written. Resolves
   * once a head at least this new is in place, rejects with AUDIT.0505 when that write failed.
   */
  write(head: AnchorHead): Promise<void> {
    if (this.pending) {
      this.pending.head = head;
      return this.pending.done;
    }
    const job = newJob(head);
    this.pending = job;
    if (!this.inFlight) void this.drain();
    return job.done;
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.pending) {
        const job = this.pending;
        this.pending = null;
        const gen = ++this.generation;
        try {
          await this.writeInBackground(job.head, gen);
          job.resolve();
        } catch (e) {
          // A synchronous write since (`now`) made this one moot (it may have removed our file).
          if (gen !== this.generation) job.resolve();
          else job.reject(writeFailed(this.vaultPath, e));
        }
      }
    } finally {
      this.inFlight = false;
    }
  }

  private async writeInBackground(head: AnchorHead, gen: number): Promise<void> {
    const wal = await open(`${this.vaultPath}-wal`, 'r').catch((e: unknown) => {
      // No WAL: the last connection checkpointed it into the (synced) database file and removed it.
      if (isMissing(e)) return null;
      throw e;
    });
    if (wal) {
      try {
        await wal.sync();
      } finally {
        await wal.close();
      }
    }
    const tmp = anchorTempPath(this.vaultPath, process.pid, ++tempCount);
    try {
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
        return;
      }
      this.renaming = tmp;
      await rename(tmp, anchorPath(this.vaultPath));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    } finally {
      this.renaming = null;
    }
  }

  /**
   * Writes `head` before returning (creation, restore, close, a retry after a failure);
   * supersedes writes in flight. Throws AUDIT.0505 when it cannot.
   */
  now(head: AnchorHead): void {
    const waiting = this.pending;
    this.pending = null;
    // An older head's rename may still be queued off the event loop. Removing its source first
    // makes it fail if it has not happened yet, so it can never land after the rename below.
    if (this.renaming) rmSync(this.renaming, { force: true });
    ++this.generation;
    const tmp = anchorTempPath(this.vaultPath, process.pid, ++tempCount);
    try {
      syncWal(this.vaultPath);
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(head));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, anchorPath(this.vaultPath));
    } catch (e) {
      rmSync(tmp, { force: true });
      const failed = writeFailed(this.vaultPath, e);
      waiting?.reject(failed);
      throw failed;
    }
    waiting?.resolve();
  }
}

function syncWal(vaultPath: string): void {
  let fd: number;
  try {
    fd = openSync(`${vaultPath}-wal`, 'r');
  } catch (e) {
    if (isMissing(e)) return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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
