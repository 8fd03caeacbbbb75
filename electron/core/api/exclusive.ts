/**
 * Calls that must not overlap on one vault, in this process or another (a declaration's
 * `exclusive`): two pushes to the same remote would both write the same new versions there.
 * The second is refused with VAULT.0507 while the first runs; nothing waits or queues, so a
 * caller never hangs behind a slow remote.
 *
 * The claim is a small file beside the vault (its real path: a symlink or another spelling of the
 * path names the same claim), made whole under a temporary name and then linked into place (link
 * fails if the name exists), so another process never reads half a claim. It names its owner's
 * pid and machine. A claim whose process is gone from this machine (a crash, a kill) is moved
 * aside and taken over, after checking that what was moved is the claim judged stale; a claim
 * from another machine (a vault on a shared drive), or one that cannot be read, is never broken:
 * the refusal names the file to remove if its process is gone.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { isLiveProcess } from './processes.js';

interface Claim {
  pid: number;
  /** A pid means something only on its own machine. */
  host: string;
  token: string;
  what: string;
  since: string;
}

/** Claim files this process holds now. */
const held = new Set<string>();

/** Attempts at linking before a claim that keeps changing hands is reported as busy. */
const ATTEMPTS = 3;

export function claimPath(vaultPath: string, key: string): string {
  let real: string;
  try {
    real = realpathSync(vaultPath);
  } catch {
    real = resolve(vaultPath);
  }
  return `${real}.busy-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

type Read = { claim: Claim } | { missing: true } | { unreadable: string };

function readClaim(path: string): Read {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? { missing: true } : { unreadable: code };
  }
  try {
    const claim = JSON.parse(text) as Claim;
    return typeof claim.pid === 'number' && typeof claim.host === 'string' && typeof claim.token === 'string' ? { claim } : { unreadable: 'not a claim' };
  } catch {
    return { unreadable: 'not a claim' };
  }
}

/**
 * Whether the claim's process may still be running: another machine's is taken to be (it cannot
 * be checked from here); on this one, whether its pid is a live process other than this one (a
 * claim naming this pid that this process does not hold was left by an earlier process).
 */
function running({ pid, host }: Claim): boolean {
  if (host !== hostname()) return true;
  return pid !== process.pid && isLiveProcess(pid);
}

function busy(what: string, by: string): KeyholdError {
  return new KeyholdError(LocalErrors.Busy, `Another ${what} is running (${by}); run this one again when it has ended.`, 409);
}

function cannotClaim(what: string, path: string, e: unknown): KeyholdError {
  return new KeyholdError(
    LocalErrors.Internal,
    `Cannot claim the ${what} beside the vault (${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    500,
  );
}

/** Puts `draft` at `path` if nothing is there: a hard link, or on file systems without them (FAT), an exclusive create. */
function place(draft: string, path: string, content: string): boolean {
  try {
    linkSync(draft, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale claim out of the way. False when what was moved is not the claim judged stale (a
 * live one replaced it meanwhile): it is put back, and the caller reports busy.
 */
function breakStale(path: string, stale: Claim, token: string): boolean {
  const aside = `${path}.${token}.stale`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
  const moved = readClaim(aside);
  if ('claim' in moved && moved.claim.token === stale.token) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // Another claim took the place meanwhile; the one moved aside is refused with it.
  }
  rmSync(aside, { force: true });
  return false;
}

/**
 * Claims `key` on the vault at `vaultPath` for `what` (a phrase for the message, e.g. "push to
 * remote peer (csms)"). Returns the release, which is safe to call more than once and never throws.
 */
export function claimExclusive(vaultPath: string, key: string, what: string): () => void {
  const path = claimPath(vaultPath, key);
  if (held.has(path)) throw busy(what, 'in this process');
  const mine: Claim = { pid: process.pid, host: hostname(), token: randomUUID(), what, since: new Date().toISOString() };
  const content = JSON.stringify(mine);
  const draft = `${path}.${mine.token}.tmp`;
  try {
    writeFileSync(draft, content, { mode: 0o600 });
    for (let attempt = 1; !place(draft, path, content); attempt++) {
      const other = readClaim(path);
      if ('unreadable' in other) throw busy(what, `a claim file that cannot be read (${other.unreadable}); if no such operation is running, remove ${path}`);
      if ('claim' in other) {
        if (running(other.claim))
          throw busy(what, `process ${other.claim.pid} on ${other.claim.host}, since ${other.claim.since}; if that process is gone, remove ${path}`);
        if (!breakStale(path, other.claim, mine.token)) throw busy(what, 'a process that has just claimed it');
      }
      if (attempt >= ATTEMPTS) throw busy(what, 'processes that keep claiming it');
    }
  } catch (e) {
    throw e instanceof KeyholdError ? e : cannotClaim(what, path, e);
  } finally {
    quietlyRemove(draft);
  }
  held.add(path);
  return () => {
    if (!held.delete(path)) return;
    const now = readClaim(path);
    // Left behind, a claim names this process: this process takes it over (its own pid), others
    // once this process has ended. A release must not turn a finished call into a failure.
    if ('claim' in now && now.claim.token === mine.token) quietlyRemove(path);
  };
}

function quietlyRemove(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // A scanner or another reader holding it (Windows); see the release.
  }
}
