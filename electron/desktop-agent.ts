/**
 * The desktop app is the agent while it runs (docs/agent.md): it serves the same two sockets as
 * `keyhold agent` for the vault it has open, unless an agent already serves that vault. Calls and
 * signatures run in the app's own unlocked workspace, so its lock (button, idle, OS lock, suspend)
 * is the agent's lock. Each signature is put to the user in a native dialog of the main process,
 * not in the page: a compromised renderer must not be able to approve its own requests, and the
 * question must reach the user with the window hidden. No answer within CONFIRM_TIMEOUT_MS denies.
 */
import { appendFileSync } from 'node:fs';
import { BrowserWindow, dialog, type MessageBoxOptions } from 'electron';
import { KeyholdError, LocalErrors } from '../shared/errors.js';
import { AUTO_LOCK_DEFAULT_MINUTES } from '../shared/ui/contract.js';
import type { Session } from './core/api/index.js';
import { SignConfirmer, type ConfirmSign, type SignRequest } from './agent/confirm.js';
import { agentPaths } from './agent/paths.js';
import { Agent } from './agent/server.js';
import type { AgentVault, LockReason } from './agent/vault-holder.js';
import type { Workspace } from './ui/workspace.js';

const UI_REASON = { request: 'user', 'ssh-add': 'user', idle: 'idle', sleep: 'suspend', 'os-lock': 'os-lock' } as const;

/** The app's workspace lent to the agent: locked when the app is, unlocked only in the app. */
class WorkspaceVault implements AgentVault {
  epoch = 0;

  constructor(private readonly workspace: Workspace) {
    workspace.onEvent((e) => {
      if (e.type === 'locked') this.epoch++;
    });
  }

  get locked(): boolean {
    return !this.workspace.unlocked;
  }

  get idleLockSeconds(): number {
    return (this.workspace.status().auto_lock_minutes ?? AUTO_LOCK_DEFAULT_MINUTES) * 60;
  }

  use<T>(work: (session: Session) => Promise<T>, activity = true): Promise<T> {
    return this.workspace.use(work, activity);
  }

  async lock(reason: LockReason): Promise<boolean> {
    // `keyhold agent stop` stops serving the sockets; the app's vault is the app's to lock.
    if (reason === 'stop' || this.locked) return false;
    await this.workspace.lock(UI_REASON[reason]);
    return true;
  }

  async unlock(): Promise<void> {
    throw new KeyholdError(LocalErrors.VaultLocked, 'The Keyhold app serves this agent: unlock the vault in the app.', 423);
  }
}

function describeRequest(r: SignRequest): string {
  return [
    `Key pair: ${r.keypair_name}`,
    `Fingerprint: ${r.fingerprint}`,
    r.host_pattern
      ? `Server: matches host pattern ${r.host_pattern} (host key ${r.host_key})`
      : r.host_key
        ? `Server host key: ${r.host_key}`
        : 'Server: not told (the program did not bind the connection to a server)',
    r.process ? `Program: ${r.process.command} (pid ${r.process.pid})` : 'Program: not told on this platform',
  ].join('\n');
}

/** The native question, closed (as a denial) when the agent stops waiting. */
const askInDialog: ConfirmSign = async (r, signal) => {
  const options: MessageBoxOptions = {
    type: 'question',
    title: 'Keyhold: allow an SSH signature?',
    message: `A program asks to sign in with your key pair "${r.keypair_name}".`,
    detail: describeRequest(r),
    buttons: ['Deny', 'Allow once', 'Allow for this session'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
    signal,
  };
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const { response } = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
  return response === 1 ? 'once' : response === 2 ? 'session' : 'deny';
};

/** Serves the agent's sockets for the app's vault; `stop()` removes them (the app quitting). */
export function serveDesktopAgent(workspace: Workspace, ask: ConfirmSign = askInDialog): { started: Promise<boolean>; stop(): Promise<void> } {
  const logFile = agentPaths(workspace.vaultPath).log;
  const log = (line: string) => {
    try {
      appendFileSync(logFile, `${new Date().toISOString()} keyhold app[${process.pid}]: ${line}\n`, { mode: 0o600 });
    } catch {
      // The socket directory is checked when the agent starts; a log line is not worth failing for.
    }
  };
  if (process.env.KEYHOLD_DESKTOP_AGENT === '0') return { started: Promise.resolve(false), stop: async () => undefined };
  const agent = new Agent(workspace.vaultPath, new WorkspaceVault(workspace), log, { confirmer: new SignConfirmer(ask), watchOs: false });
  const started = agent.start().then(
    () => true,
    (e: unknown) => {
      // Most often `keyhold agent` already serves this vault: it keeps doing so.
      log(`the app does not serve the agent's sockets: ${(e as Error).message}`);
      return false;
    },
  );
  return { started, stop: () => started.then((ok) => (ok ? agent.stop() : undefined)) };
}
