/**
 * Web mode's master-password throttle (docs/desktop.md, "Login throttle"). Every password
 * check (unlock, a second browser's login, change-password's current password) first takes a
 * slot here, counted as a failure until it succeeds: parallel guesses cannot slip in before
 * the first is counted, and a refused attempt costs the server no KDF work and queues behind
 * nothing, so a real login is never stuck behind a stream of guesses.
 *
 * Per client (its address) and for the server as a whole, failures within the window bring a
 * growing wait before the next attempt (doubling from 1 s, at most 60 s, after a few free
 * tries), and enough of them a lockout for the whole window. A success clears its client's
 * record; the global count only ages out.
 */
import { KeyholdError } from '../../shared/errors.js';
import { UiErrors } from './errors.js';

export interface ThrottlePolicy {
  /** Failures forgotten this long after the last one; also the lockout's length. */
  windowMs: number;
  /** Failures allowed without any wait. */
  freeFailures: number;
  /** The first wait, doubled at each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures after which the client (or the server, for the global count) is locked out. */
  lockoutAfter: number;
}

export const CLIENT_POLICY: ThrottlePolicy = { windowMs: 15 * 60_000, freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, lockoutAfter: 10 };
export const GLOBAL_POLICY: ThrottlePolicy = { windowMs: 15 * 60_000, freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 60_000, lockoutAfter: 50 };

/** Clients remembered at most; past that the oldest record is dropped (the global count still holds). */
const MAX_CLIENTS = 10_000;

interface AttemptRecord {
  failures: number;
  last: number;
}

/** The wait after `failures` failures: the whole window once locked out. */
export function waitAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures >= policy.lockoutAfter) return policy.windowMs;
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - policy.freeFailures));
}

export class LoginThrottle {
  private readonly clients = new Map<string, AttemptRecord>();
  private global: AttemptRecord = { failures: 0, last: 0 };

  constructor(
    private readonly now: () => number = Date.now,
    private readonly client: ThrottlePolicy = CLIENT_POLICY,
    private readonly server: ThrottlePolicy = GLOBAL_POLICY,
  ) {}

  /**
   * Takes an attempt for `client` (counted as failed until `succeeded`), or throws 429
   * `UI.0429` saying how long to wait. Nothing is counted for a refused attempt.
   */
  begin(client: string): void {
    const t = this.now();
    const mine = this.fresh(this.clients.get(client), this.client, t);
    this.global = this.fresh(this.global, this.server, t);
    const wait = Math.max(this.remaining(mine, this.client, t), this.remaining(this.global, this.server, t));
    if (wait > 0) {
      const locked = mine.failures >= this.client.lockoutAfter || this.global.failures >= this.server.lockoutAfter;
      throw new KeyholdError(
        UiErrors.Throttled,
        `${locked ? 'Too many wrong master passwords: locked' : 'Too many attempts: wait'} ${Math.ceil(wait / 1000)} s before trying again.`,
        429,
      );
    }
    this.clients.delete(client);
    this.clients.set(client, { failures: mine.failures + 1, last: t });
    this.global = { failures: this.global.failures + 1, last: t };
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string);
  }

  /** The attempt `begin` took was the right password: the client starts afresh, the global count gives it back. */
  succeeded(client: string): void {
    this.clients.delete(client);
    this.global = { ...this.global, failures: Math.max(0, this.global.failures - 1) };
  }

  /**
   * The attempt `begin` took ended with no verdict on a password (none was given, say): its slot
   * is given back, and the client's earlier failures stay — an attempt that tried no password
   * must not wipe the count of those that did.
   */
  released(client: string): void {
    const mine = this.clients.get(client);
    if (mine && mine.failures > 1) this.clients.set(client, { ...mine, failures: mine.failures - 1 });
    else this.clients.delete(client);
    this.global = { ...this.global, failures: Math.max(0, this.global.failures - 1) };
  }

  private fresh(r: AttemptRecord | undefined, policy: ThrottlePolicy, t: number): AttemptRecord {
    return !r || t - r.last >= policy.windowMs ? { failures: 0, last: 0 } : r;
  }

  private remaining(r: AttemptRecord, policy: ThrottlePolicy, t: number): number {
    return r.failures === 0 ? 0 : r.last + waitAfter(policy, r.failures) - t;
  }
}
