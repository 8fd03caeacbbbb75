/**
 * The vault's state as the UI shows it: loading, first run, locked, unlocked. It also locks the
 * vault after the chosen idle time (user input is activity) and tells the backend the user is
 * still there, so its own idle timer does not lock under them.
 */
import type { LockReason, SessionStatus } from '../../../shared/ui/contract.js';
import { UiError, type Client } from './api.js';
import { codeOf, describeError } from './messages.js';
import { passwordRule, TOO_SHORT } from './password-rule.js';

/** How often activity is reported to the backend at most. */
const TOUCH_EVERY_MS = 60_000;

export class SessionManager {
  status = $state<SessionStatus | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  /** The code of the error Keyhold answered, shown beside `error`; null for the screen's own refusals. */
  errorCode = $state<string | null>(null);
  /** Why the vault was last locked when the user did not ask for it (shown on the unlock screen). */
  lockedBecause = $state<LockReason | null>(null);

  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private lastTouch = 0;

  constructor(private readonly client: Client) {
    client.onEvent((e) => {
      if (e.type === 'locked' && this.status?.state === 'unlocked') {
        this.status = { ...this.status, state: 'locked' };
        this.lockedBecause = e.reason === 'user' ? null : e.reason;
        this.stopIdle();
      }
    });
  }

  get state(): 'loading' | SessionStatus['state'] {
    return this.status?.state ?? 'loading';
  }

  async refresh(): Promise<void> {
    await this.run(async () => this.apply(await this.client.call('session.status', {})));
  }

  async create(password: string, repeat: string): Promise<boolean> {
    if (!passwordRule(password).met) return this.refuse(TOO_SHORT);
    if (password !== repeat) return this.refuse('The two passwords differ.');
    return this.run(async () => this.apply(await this.client.call('session.create', { password })));
  }

  async unlock(password: string): Promise<boolean> {
    if (!password) return this.refuse('Enter the master password.');
    return this.run(async () => this.apply(await this.client.call('session.unlock', { password })));
  }

  async unlockWithDevice(): Promise<boolean> {
    return this.run(async () => this.apply(await this.client.call('session.unlock-device', {})));
  }

  async lock(reason: LockReason = 'user'): Promise<void> {
    this.stopIdle();
    await this.run(async () => this.apply(await this.client.call('session.lock', {})));
    this.lockedBecause = reason === 'user' ? null : reason;
  }

  /**
   * A restore from this page ended (`error` null: it succeeded). A restore locks the vault before
   * it reads the backup, so unless it was refused before that (a wrong current password), the
   * vault is locked now, which a browser learns only here: the unlock screen says why.
   */
  async afterRestore(error: string | null): Promise<void> {
    await this.refresh();
    if (this.status?.state !== 'locked') return;
    this.lockedBecause = error ? null : 'restore';
    this.error = error ? `The backup was not restored: ${error} The vault is as it was: unlock it with its own master password.` : null;
  }

  async setAutoLock(minutes: number): Promise<boolean> {
    return this.run(async () => this.apply(await this.client.call('session.set-auto-lock', { minutes })));
  }

  async remember(on: boolean): Promise<boolean> {
    return this.run(async () => this.apply(await this.client.call(on ? 'session.remember' : 'session.forget', {})));
  }

  /** Called on user input: restarts the idle countdown and, now and then, tells the backend. */
  activity(now = Date.now()): void {
    if (this.status?.state !== 'unlocked') return;
    this.startIdle();
    if (now - this.lastTouch >= TOUCH_EVERY_MS) {
      this.lastTouch = now;
      void this.client.call('session.status', {}).catch(() => undefined);
    }
  }

  private apply(status: SessionStatus): void {
    this.status = status;
    if (status.state === 'unlocked') {
      this.lockedBecause = null;
      this.startIdle();
    } else this.stopIdle();
  }

  private startIdle(): void {
    this.stopIdle();
    const minutes = this.status?.auto_lock_minutes ?? 5;
    this.idleTimer = setTimeout(() => void this.lock('idle'), minutes * 60_000);
  }

  private stopIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private refuse(message: string): false {
    this.error = message;
    this.errorCode = null;
    return false;
  }

  private async run(fn: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.errorCode = null;
    try {
      await fn();
      return true;
    } catch (e) {
      this.error = describeError(e);
      this.errorCode = codeOf(e);
      if (!(e instanceof UiError)) console.error(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
