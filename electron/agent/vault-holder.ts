/**
 * The agent's hold on the vault: one open Session while unlocked, none while locked. Locking
 * (on request, by ssh-add -x, or after idle time) lets calls already running finish, then closes
 * the session, which drops the root key and every key handle; new calls are refused at once with
 * VAULT.0107. Unlocking opens the vault again, with its KDF, from the password or the OS keychain.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { Session, type Credentials } from '../core/api/index.js';

/** Why the agent locked: audited as `agent lock (<reason>)`. `sleep` and `os-lock` come from the OS (os-events.ts, or the desktop app's powerMonitor). */
export type LockReason = 'request' | 'idle' | 'ssh-add' | 'stop' | 'sleep' | 'os-lock';

/**
 * What the agent's sockets need of the vault they serve: `keyhold agent` holds its own
 * (VaultHolder); the desktop app lends its unlocked workspace (electron/desktop-agent.ts).
 */
export interface AgentVault {
  readonly locked: boolean;
  /** Seconds without a call before the vault locks itself; 0: never. */
  readonly idleLockSeconds: number;
  /** Changes whenever the vault locks: what was allowed in one unlocked session ends with it. */
  readonly epoch: number;
  use<T>(work: (session: Session) => Promise<T>, activity?: boolean): Promise<T>;
  lock(reason: LockReason): Promise<boolean>;
  unlock(credentials: (vaultId: string) => Promise<Credentials>): Promise<void>;
}

export class VaultHolder implements AgentVault {
  private session: Session | null = null;
  epoch = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly vaultPath: string,
    /** Seconds without a call before the agent locks itself; 0: never. */
    readonly idleLockSeconds: number,
    private readonly log: (line: string) => void,
  ) {}

  get locked(): boolean {
    return this.session === null;
  }

  private unlocking: Promise<void> | undefined;

  /** Opens the vault; two unlocks at once (ssh-add -X and `agent unlock`) share one attempt. */
  unlock(credentials: (vaultId: string) => Promise<Credentials>): Promise<void> {
    if (this.session) return Promise.resolve();
    this.unlocking ??= (async () => {
      try {
        const session = await Session.open(this.vaultPath, credentials);
        await session.noteSystemEvent('agent unlock');
        this.session = session;
        this.log('unlocked');
        this.touch();
      } finally {
        this.unlocking = undefined;
      }
    })();
    return this.unlocking;
  }

  /**
   * Runs `work` with the open session; VAULT.0107 at once when locked. It counts as activity
   * (postpones the idle lock) unless `activity` is false: ssh lists the agent's keys on every
   * connection, and a program polling the list must not keep the vault unlocked.
   */
  async use<T>(work: (session: Session) => Promise<T>, activity = true): Promise<T> {
    const session = this.session;
    if (!session) throw new KeyholdError(LocalErrors.VaultLocked, 'The agent is locked: run `keyhold agent unlock` (or ssh-add -X).', 423);
    const p = work(session);
    this.inflight.add(p);
    try {
      return await p;
    } finally {
      this.inflight.delete(p);
      if (activity) this.touch();
    }
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (!this.session || this.idleLockSeconds <= 0) return;
    this.idleTimer = setTimeout(() => {
      // A long call (a file job) is activity until it ends.
      if (this.inflight.size) this.touch();
      else void this.lock('idle');
    }, this.idleLockSeconds * 1000);
    this.idleTimer.unref();
  }

  async lock(reason: LockReason): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    this.session = null;
    this.epoch++;
    clearTimeout(this.idleTimer);
    await Promise.allSettled([...this.inflight]);
    await session.settle();
    await session.noteSystemEvent(`agent lock (${reason})`).catch(() => undefined);
    session.close();
    this.log(`locked (${reason})`);
    return true;
  }
}
