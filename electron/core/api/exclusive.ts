/**
 * Calls that must not overlap on one vault, in this process or another (a declaration's
 * `exclusive`): two pushes to the same remote would both write the same new versions there.
 * The second is refused with VAULT.0507 while the first runs; nothing waits or queues, so a
 * caller never hangs behind a slow remote.
 *
 * The claim is a small file beside the vault, made whole under a temporary name and then linked
 * into place (link fails if the name exists), so another process never reads half a claim. It
 * names its owner's pid and machine: a claim whose process is gone (a crash, a kill) is taken
 * over; one from another machine (a vault on a shared drive) never is, and the refusal says which
 * file to remove if that process is gone. Two
 * processes taking over the same stale claim at the same instant could both succeed; a claim
 * left by a live process is never broken.
 */
import { createHash, randomUUID } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';

interface Claim {
  pid: number;
  /** A pid means something only on its own machine (a vault on a shared drive). */
  host: string;
  token: string;
  what: string;
  since: string;
}

/** Claim files this process holds now. */
const held = new Set<string>();

export function claimPath(vaultPath: string, key: string): string {
  return `${vaultPath}.busy-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function readClaim(path: string): Claim | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Claim;
  } catch {
    return null;
  }
}

/**
 * Whether the claim's process may still be running: another machine's is taken to be (it cannot
 * be checked from here); on this one, whether its pid is a live process other than this one.
 */
function running({ pid, host }: Claim): boolean {
  if (host !== hostname()) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // not in `held`: left by an earlier process with our pid
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busy(what: string, by: string): KeyholdError {
  return new KeyholdError(LocalErrors.Busy, `Another ${what} is running (${by}); run this one again when it has ended.`, 409);
}

/**
 * Claims `key` on the vault at `vaultPath` for `what` (a phrase for the message, e.g. "push to
 * remote peer (csms)"). Returns the release, which is safe to call more than once.
 */
export function claimExclusive(vaultPath: string, key: string, what: string): () => void {
  const path = claimPath(vaultPath, key);
  if (held.has(path)) throw busy(what, 'in this process');
  const mine: Claim = { pid: process.pid, host: hostname(), token: randomUUID(), what, since: new Date().toISOString() };
  const draft = `${path}.${mine.token}.tmp`;
  writeFileSync(draft, JSON.stringify(mine), { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const other = readClaim(path);
        if (other && running(other)) {
          throw busy(what, `process ${other.pid} on ${other.host}, since ${other.since}; if that process is gone, remove ${path}`);
        }
        // Its process is gone: the claim is stale.
        rmSync(path, { force: true });
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  held.add(path);
  return () => {
    if (!held.delete(path)) return;
    if (readClaim(path)?.token === mine.token) rmSync(path, { force: true });
  };
}
