/**
 * Web mode's wrong master passwords, audited without the guess: who (the client's address),
 * when, and what it tried (unlock, change-password, or an access-key change). While the vault is locked the audit log
 * cannot be written (its entries are MAC'd under the vault's keys), so failures wait here, at
 * most MAX_PENDING of them plus a count of the rest, and go into the log at the next unlock.
 */
import type { Session } from '../core/api/index.js';

export type PasswordAttempt = 'unlock' | 'change-password' | 'backup' | 'restore' | 'access-key';

interface Failure {
  client: string;
  attempted_at: string;
  attempt: PasswordAttempt;
  outcome: string;
}

const MAX_PENDING = 1_000;

export class FailedLogins {
  private pending: Failure[] = [];
  private dropped = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Notes a failure and writes what is pending if the vault is open. */
  async note(client: string, attempt: PasswordAttempt, outcome: string, session: Session | null): Promise<void> {
    if (this.pending.length < MAX_PENDING) this.pending.push({ client, attempt, outcome, attempted_at: new Date(this.now()).toISOString() });
    else this.dropped++;
    await this.flush(session);
  }

  /** Writes pending failures into the vault's audit log (once it is open); none is lost if that fails. */
  async flush(session: Session | null): Promise<void> {
    if (!session || (this.pending.length === 0 && this.dropped === 0)) return;
    const batch = this.pending;
    const dropped = this.dropped;
    this.pending = [];
    this.dropped = 0;
    try {
      await Promise.all([
        ...batch.map(({ outcome, ...fields }) => session.audit.record({ transport: 'http', operation: 'web login-failed', key_id: null, outcome, fields })),
        ...(dropped
          ? [session.audit.record({ transport: 'http', operation: 'web login-failed', key_id: null, outcome: 'dropped', fields: { count: dropped } })]
          : []),
      ]);
    } catch {
      this.pending = [...batch, ...this.pending].slice(0, MAX_PENDING);
      this.dropped += dropped;
    }
  }
}
