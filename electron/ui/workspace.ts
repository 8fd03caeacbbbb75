/**
 * The vault as the desktop UI sees it, for both the Electron shell and web mode: absent,
 * locked or unlocked; first run; unlock by password or by this device's remembered secret;
 * lock on request, after idle time, or when the OS locks or suspends. Locking drops the
 * Session (and with it the root key and cached key objects) once in-flight calls finish.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import {
  AUTO_LOCK_DEFAULT_MINUTES,
  AUTO_LOCK_MAX_MINUTES,
  type LockReason,
  type RememberSupport,
  type SessionStatus,
  type UiEvent,
  type UiTransport,
} from '../../shared/ui/contract.js';
import { restoreVault, Session, type CallHooks, type Keychain, type RegisteredOperation } from '../core/api/index.js';

export interface WorkspaceOptions {
  transport: UiTransport;
  /** Where "remember on this device" keeps its secret; null when this transport cannot. */
  keychain: Keychain | null;
  remember: RememberSupport;
  autoLockMinutes?: number;
  /** Argon2 calibration target for a new vault; tests pass a few ms. */
  kdfTargetMs?: number;
}

export class Workspace {
  private session: Session | null = null;
  private opening: Promise<void> | null = null;
  private checking: Promise<void> = Promise.resolve();
  private lastProgress = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly listeners = new Set<(e: UiEvent) => void>();
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private autoLockMinutes: number;

  constructor(
    readonly vaultPath: string,
    private readonly opts: WorkspaceOptions,
  ) {
    this.autoLockMinutes = opts.autoLockMinutes ?? AUTO_LOCK_DEFAULT_MINUTES;
  }

  get unlocked(): boolean {
    return this.session !== null;
  }

  status(): SessionStatus {
    const state = this.session ? 'unlocked' : existsSync(this.vaultPath) ? 'locked' : 'no-vault';
    return {
      state,
      vault_path: this.vaultPath,
      transport: this.opts.transport,
      remember: this.opts.remember,
      remembered: this.session ? this.hasRemembered(this.session.vault.header.vault_id) : false,
      auto_lock_minutes: this.autoLockMinutes,
    };
  }

  /** Like status(), and for a locked vault also whether this device remembers it (reads its header). */
  async statusWithRemembered(): Promise<SessionStatus> {
    const status = this.status();
    if (status.state !== 'locked' || !this.opts.keychain) return status;
    let vaultId: string | null = null;
    // Session.open hands us the vault id from the header before it unlocks anything; we stop there.
    await Session.open(this.vaultPath, async (id) => {
      vaultId = id;
      throw new KeyholdError(LocalErrors.PasswordRequired, 'peek only', 400);
    }).catch(() => undefined);
    return { ...status, remembered: vaultId !== null && this.hasRemembered(vaultId) };
  }

  onEvent(listener: (e: UiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** First run: creates the vault and leaves it unlocked. */
  async create(password: string): Promise<SessionStatus> {
    if (!password) throw new KeyholdError(LocalErrors.PasswordRequired, 'Choose a master password.', 400);
    await this.exclusive(async () => {
      if (existsSync(this.vaultPath)) throw new KeyholdError(LocalErrors.VaultExists, 'A vault already exists here; unlock it instead.', 409);
      mkdirSync(dirname(this.vaultPath), { recursive: true, mode: 0o700 });
      this.session = await Session.create(this.vaultPath, password, { kdfTargetMs: this.opts.kdfTargetMs });
    });
    return this.unlockedNow();
  }

  async unlock(password: string): Promise<SessionStatus> {
    if (!password) throw new KeyholdError(LocalErrors.PasswordRequired, 'Enter the master password.', 400);
    await this.exclusive(async () => {
      this.session = await Session.open(this.vaultPath, { password });
    });
    return this.unlockedNow();
  }

  /**
   * Checks a password against the vault while it is already unlocked (a second browser logging
   * in to web mode): opens and closes a second session, paying the full KDF cost each time.
   */
  async checkPassword(password: string): Promise<void> {
    if (!password) throw new KeyholdError(LocalErrors.PasswordRequired, 'Enter the master password.', 400);
    const check = this.checking.then(async () => (await Session.open(this.vaultPath, { password })).close());
    // One check at a time: guessing gets no faster by asking in parallel.
    this.checking = check.catch(() => undefined);
    await check;
  }

  /** The unlocked session, for transports that serve more than UI calls (web mode's cloud routes). */
  get current(): Session | null {
    return this.session;
  }

  /** Unlocks with the device secret the keychain holds for this vault, if there is one. */
  async unlockWithDevice(): Promise<SessionStatus> {
    const keychain = this.opts.keychain;
    if (!keychain) throw new KeyholdError(LocalErrors.Unsupported, this.opts.remember.reason ?? 'This device cannot remember the vault.', 400);
    await this.exclusive(async () => {
      this.session = await Session.open(this.vaultPath, async (vaultId) => {
        const secret = keychain.get(vaultId);
        if (!secret) throw new KeyholdError(LocalErrors.PasswordRequired, 'This device does not remember the vault: enter the master password.', 400);
        return { deviceSecret: Buffer.from(secret, 'base64') };
      });
    });
    return this.unlockedNow();
  }

  async remember(): Promise<SessionStatus> {
    const keychain = this.opts.keychain;
    if (!keychain || !this.opts.remember.supported)
      throw new KeyholdError(LocalErrors.Unsupported, this.opts.remember.reason ?? 'This device cannot remember the vault.', 400);
    await this.requireSession().rememberDevice(keychain);
    return this.status();
  }

  async forget(): Promise<SessionStatus> {
    const keychain = this.opts.keychain;
    if (!keychain) throw new KeyholdError(LocalErrors.Unsupported, this.opts.remember.reason ?? 'This device cannot remember the vault.', 400);
    await this.requireSession().forgetDevice(keychain);
    return this.status();
  }

  setAutoLock(minutes: number): SessionStatus {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > AUTO_LOCK_MAX_MINUTES) {
      throw new KeyholdError(LocalErrors.BadArgument, `Auto-lock must be 1 to ${AUTO_LOCK_MAX_MINUTES} minutes.`, 400);
    }
    this.autoLockMinutes = minutes;
    this.touch();
    return this.status();
  }

  /** Resets the idle timer: any call from the UI counts as activity. */
  touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.session) return;
    this.idleTimer = setTimeout(() => void this.lock('idle'), this.autoLockMinutes * 60_000);
    this.idleTimer.unref?.();
  }

  /** Drops the session; calls already running finish first, new ones see a locked vault. */
  async lock(reason: LockReason): Promise<SessionStatus> {
    const session = this.session;
    this.session = null;
    this.touch();
    if (session) {
      await Promise.allSettled([...this.inflight]);
      session.close();
      this.emit({ type: 'locked', reason });
    }
    return this.status();
  }

  /**
   * Replaces the vault with a backup (api/maintenance.ts: its header bounded before any KDF,
   * opened with `backupPassword`, every record and the whole audit chain verified, then put in
   * place). The caller has checked the current master password. The vault is locked first (a
   * restore needs it closed) and stays locked: it opens with the backup's password. A refused
   * backup leaves the vault as it was. No unlock can start meanwhile.
   */
  async restore(backupPath: string, backupPassword: string): Promise<{ restored: true; records: number; entries: number }> {
    if (!backupPassword)
      throw new KeyholdError(LocalErrors.PasswordRequired, "Enter the backup's password (the master password the vault had when the backup was made).", 400);
    if (this.opening) throw new KeyholdError(LocalErrors.BadArgument, 'The vault is being unlocked; try again.', 409);
    await this.lock('restore');
    const restoring = restoreVault(backupPath, this.vaultPath, backupPassword);
    this.opening = restoring.then(
      () => undefined,
      () => undefined,
    );
    try {
      const { records, entries } = await restoring;
      return { restored: true, records, entries };
    } finally {
      this.opening = null;
    }
  }

  /** Runs a registry operation on the unlocked vault. */
  run(op: RegisteredOperation, input: unknown, hooks: CallHooks = {}): Promise<unknown> {
    return this.use((session) => session.run(op, input, this.opts.transport, null, hooks));
  }

  /**
   * Runs `work` on the unlocked session for another transport this process serves (the desktop
   * app answering the agent's sockets, electron/desktop-agent.ts): a call in flight that a lock
   * waits for, and activity unless `activity` is false (ssh listing keys on every connection).
   */
  async use<T>(work: (session: Session) => Promise<T>, activity = true): Promise<T> {
    const session = this.requireSession();
    if (activity) this.touch();
    const p = work(session);
    this.inflight.add(p);
    try {
      return await p;
    } finally {
      this.inflight.delete(p);
    }
  }

  /** A long operation's progress; it counts as activity, so a big file does not lock halfway. */
  emitProgress(op: string, done: number, total: number): void {
    this.touch();
    // At most ten updates a second reach the window, and always the last one.
    const now = Date.now();
    if (done < total && now - this.lastProgress < 100) return;
    this.lastProgress = now;
    this.emit({ type: 'progress', op, done, total });
  }

  private hasRemembered(vaultId: string): boolean {
    return this.opts.keychain?.get(vaultId) != null;
  }

  private requireSession(): Session {
    if (!this.session) throw new KeyholdError(LocalErrors.VaultLocked, 'The vault is locked.', 401);
    return this.session;
  }

  private unlockedNow(): SessionStatus {
    this.touch();
    this.emit({ type: 'unlocked' });
    return this.status();
  }

  /** One create/unlock at a time; a second while the vault is open is refused, not queued. */
  private async exclusive(fn: () => Promise<void>): Promise<void> {
    if (this.session) throw new KeyholdError(LocalErrors.BadArgument, 'The vault is already unlocked.', 409);
    if (this.opening) throw new KeyholdError(LocalErrors.BadArgument, 'The vault is being unlocked already.', 409);
    this.opening = fn();
    try {
      await this.opening;
    } finally {
      this.opening = null;
    }
  }

  private emit(e: UiEvent): void {
    for (const l of this.listeners) l(e);
  }
}
