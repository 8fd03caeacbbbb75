/**
 * ipcMain → the UI bridge. One channel for calls; the sender is checked on every call (only
 * the app's own main frame); errors travel back as data in the cloud's words.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { LocalErrors } from '../shared/errors.js';
import { IPC_CALL, type UiResult } from '../shared/ui/contract.js';
import { isTrustedSender } from './security.js';
import { dispatchUiCall, toUiError, type ShellServices } from './ui/bridge.js';
import type { Workspace } from './ui/workspace.js';

export async function handleCall(ws: Workspace, event: IpcMainInvokeEvent, request: unknown, shell: ShellServices | null = null): Promise<UiResult> {
  if (!isTrustedSender(event))
    return { ok: false, error: { code: LocalErrors.BadArgument, message: "Refused: the request did not come from Keyhold's own window." } };
  const { op, input } = (request ?? {}) as { op?: unknown; input?: unknown };
  try {
    return { ok: true, value: await dispatchUiCall(ws, op, input, 'ipc', shell) };
  } catch (e) {
    const { code, message } = toUiError(e);
    return { ok: false, error: { code, message } };
  }
}

export function registerIpc(ipcMain: IpcMain, ws: Workspace, shell: ShellServices): void {
  ipcMain.handle(IPC_CALL, (event, request: unknown) => handleCall(ws, event, request, shell));
}
