/**
 * One UI call, whichever transport carried it: a session operation goes to the Workspace, any
 * other name is looked up in the registry by its declaration key and admitted for its transport
 * (core/api/admission.ts: over HTTP no operation on files by path, whose paths would name the
 * server's files). Over IPC they take dialog tokens in place of paths (path-tokens.ts).
 */
import { basename } from 'node:path';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { isReauthenticated, isSessionOp, type SessionOpName, type UiErrorBody } from '../../shared/ui/contract.js';
import { admit, operationByKey, runOffline } from '../core/api/index.js';
import { resolvePathTokens, type PathTokens, type PathUse } from './path-tokens.js';
import type { Workspace } from './workspace.js';

function field(input: unknown, name: string): unknown {
  return input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[name] : undefined;
}

function password(input: unknown): string {
  const p = field(input, 'password');
  if (typeof p !== 'string') throw new KeyholdError(LocalErrors.PasswordRequired, 'Enter the master password.', 400);
  return p;
}

/** What only the desktop shell can do for the UI. */
export interface ShellServices {
  clipboard: { write(text: string): Promise<void>; clear(): Promise<boolean> };
  /** The OS dialogs; their paths stay in the main process, the page gets tokens (path-tokens.ts). */
  dialogs: { open(title: string): Promise<string | null>; save(title: string, defaultName: string): Promise<string | null> };
  paths: PathTokens;
}

/** A dialog's answer as the page sees it: a token and the file's name for display, never the path. */
function chosen(shell: ShellServices, path: string | null, use: PathUse): { token: string | null; name: string | null } {
  return path === null ? { token: null, name: null } : { token: shell.paths.issue(path, use), name: basename(path) };
}

async function sessionCall(ws: Workspace, op: SessionOpName, input: unknown, shell: ShellServices | null): Promise<unknown> {
  switch (op) {
    case 'session.status':
      ws.touch();
      return ws.statusWithRemembered();
    case 'session.create':
      return ws.create(password(input));
    case 'session.unlock':
      return ws.unlock(password(input));
    case 'session.unlock-device':
      return ws.unlockWithDevice();
    case 'session.lock':
      return ws.lock('user');
    case 'session.remember':
      return ws.remember();
    case 'session.forget':
      return ws.forget();
    case 'session.set-auto-lock':
      return ws.setAutoLock(Number(field(input, 'minutes')));
    case 'clipboard.write': {
      const text = field(input, 'text');
      if (!shell) throw new KeyholdError(LocalErrors.Unsupported, "The clipboard is the browser's in web mode.", 400);
      if (typeof text !== 'string') throw new KeyholdError(LocalErrors.BadArgument, 'Nothing to copy.', 400);
      await shell.clipboard.write(text);
      return { written: true };
    }
    case 'clipboard.clear':
      if (!shell) throw new KeyholdError(LocalErrors.Unsupported, "The clipboard is the browser's in web mode.", 400);
      return { cleared: await shell.clipboard.clear() };
    case 'dialog.open-file':
      if (!shell) throw new KeyholdError(LocalErrors.Unsupported, 'Choosing files by path is a desktop-app feature.', 400);
      return chosen(shell, await shell.dialogs.open(String(field(input, 'title') ?? 'Choose a file')), 'open');
    case 'dialog.save-file':
      if (!shell) throw new KeyholdError(LocalErrors.Unsupported, 'Choosing files by path is a desktop-app feature.', 400);
      return chosen(shell, await shell.dialogs.save(String(field(input, 'title') ?? 'Save as'), String(field(input, 'default_name') ?? '')), 'save');
    case 'session.restore': {
      if (!shell) throw new KeyholdError(LocalErrors.Unsupported, 'In web mode a backup is restored by upload (Settings).', 400);
      const token = field(input, 'backup');
      const path = typeof token === 'string' ? shell.paths.take(token, 'open') : null;
      if (path === null) throw new KeyholdError(LocalErrors.BadArgument, 'Invalid parameter backup: choose the backup file with the dialog.', 400);
      const current = field(input, 'current_password');
      if (typeof current !== 'string' || !current)
        throw new KeyholdError(LocalErrors.PasswordRequired, 'Enter the current master password to replace the vault.', 400);
      await ws.checkPassword(current);
      return ws.restore(path, String(field(input, 'backup_password') ?? ''));
    }
  }
}

/**
 * Changes a UI makes only with the current master password too (shared/ui/contract.ts,
 * REAUTHENTICATED_OPS): an open window or a session cookie alone is not enough (someone at an
 * unlocked screen, a stolen cookie). The check opens the vault a second time, at the full KDF
 * cost; in web mode under the login throttle (electron/server/ui-server.ts). The password does
 * not go on to the operation.
 */
async function reauthenticated(ws: Workspace, input: unknown): Promise<Record<string, unknown>> {
  const current = field(input, 'current_password');
  if (typeof current !== 'string' || !current)
    throw new KeyholdError(LocalErrors.PasswordRequired, 'Enter the current master password to confirm this change.', 400);
  await ws.checkPassword(current);
  const { current_password: _checked, ...rest } = input as Record<string, unknown>;
  return rest;
}

export async function dispatchUiCall(
  ws: Workspace,
  op: unknown,
  input: unknown,
  transport: 'ipc' | 'http',
  shell: ShellServices | null = null,
): Promise<unknown> {
  if (typeof op !== 'string') throw new KeyholdError(LocalErrors.UnknownOperation, 'Unknown operation.', 400);
  if (isSessionOp(op)) return sessionCall(ws, op, input, shell);
  const registered = operationByKey(op);
  if (!registered) throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown operation: ${op.slice(0, 80)}.`, 400);
  // Before anything runs, offline key tools included (core/api/admission.ts): over HTTP no file
  // paths and no access keys.
  admit(registered.decl, input, transport);
  // Over IPC the page names files only by dialog tokens; a path it made up is refused.
  const withPaths = transport === 'ipc' ? resolvePathTokens(registered, input, shell?.paths ?? null) : input;
  const runInput = isReauthenticated(registered.key) ? await reauthenticated(ws, withPaths) : (withPaths ?? {});
  // Long operations report progress as UI events, named by the operation's key.
  const hooks = { onProgress: (p: { done: number; total: number }) => ws.emitProgress(registered.key, p.done, p.total) };
  // Key tools on files the user names need no vault: they work while it is locked (api/offline.ts).
  const offline = await runOffline(registered, runInput, hooks);
  if (offline) return offline.result;
  return ws.run(registered, runInput, hooks);
}

/** The error as the UI may see it: a KeyholdError's code and message, anything else hidden. */
export function toUiError(e: unknown): UiErrorBody & { status: number } {
  if (e instanceof KeyholdError) return { code: e.code, message: e.message, status: e.status };
  if (process.env.KEYHOLD_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
  return { code: LocalErrors.Internal, message: 'Internal error.', status: 500 };
}
