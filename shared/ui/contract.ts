/**
 * The desktop UI's contract: what the renderer's one typed client may call, over Electron IPC
 * or over HTTP in web mode. It is the operation registry (by its keys in shared/operations)
 * plus a handful of operations of the app itself (first run, unlock, lock, remember; the
 * desktop clipboard) that are not vault operations and so have no declaration of their own.
 */
import type { OperationInput, OperationKey, OperationOutput } from '../operations/index.js';

export type { OperationKey };

/** Where the UI runs: the Electron shell (IPC) or a browser on `keyhold serve --ui` (HTTP). */
export type UiTransport = 'ipc' | 'http';

export interface RememberSupport {
  supported: boolean;
  /** Why not, in words a user understands (no keyring, web mode, basic_text backend). */
  reason?: string;
}

export interface SessionStatus {
  state: 'no-vault' | 'locked' | 'unlocked';
  /** Absent in web mode before login: an anonymous browser learns only `state`. */
  vault_path?: string;
  transport: UiTransport;
  remember: RememberSupport;
  /** True when this device holds a remembered secret for the vault (unlock without password). */
  remembered: boolean;
  /** Absent in web mode before login. */
  auto_lock_minutes?: number;
  /** Web mode, signed in: the largest file the server takes by upload (UI_FILE_PATH), in bytes. */
  upload_limit_bytes?: number;
}

type NoInput = Record<string, never>;

/** A dialog's answer: nulls when the user cancelled. */
export interface ChosenFile {
  token: string | null;
  name: string | null;
}

export interface SessionOps {
  'session.status': { input: NoInput; output: SessionStatus };
  'session.create': { input: { password: string }; output: SessionStatus };
  'session.unlock': { input: { password: string }; output: SessionStatus };
  'session.unlock-device': { input: NoInput; output: SessionStatus };
  'session.lock': { input: NoInput; output: SessionStatus };
  'session.remember': { input: NoInput; output: SessionStatus };
  'session.forget': { input: NoInput; output: SessionStatus };
  'session.set-auto-lock': { input: { minutes: number }; output: SessionStatus };
  /** Desktop only: the main process owns the clipboard, so clearing works while the window is in the background. */
  'clipboard.write': { input: { text: string }; output: { written: true } };
  /** Clears the clipboard if it still holds what Keyhold put there (a later copy of the user's own is left alone). */
  'clipboard.clear': { input: NoInput; output: { cleared: boolean } };
  /**
   * Desktop only: the OS file dialogs. The page never sees or makes up a path: it gets a token
   * for the file the user picked (single use, for reading or for writing as the dialog was
   * opened) and the file's name to show; file operations take the token in the path's place.
   */
  'dialog.open-file': { input: { title: string }; output: ChosenFile };
  'dialog.save-file': { input: { title: string; default_name: string }; output: ChosenFile };
  /**
   * Desktop only: replaces the vault with a verified backup chosen in an open dialog (its token).
   * Takes the current master password (a replaced vault is the weightiest change there is) and
   * the backup's own; the vault is locked first and stays locked, to be opened with the backup's
   * password. Web mode restores by upload (UI_FILE_PATH + 'restore').
   */
  'session.restore': {
    input: { backup: string; current_password: string; backup_password: string };
    output: { restored: true; records: number; entries: number };
  };
}
export type SessionOpName = keyof SessionOps;

export const SESSION_OPS: readonly SessionOpName[] = [
  'session.status',
  'session.create',
  'session.unlock',
  'session.unlock-device',
  'session.lock',
  'session.remember',
  'session.forget',
  'session.set-auto-lock',
  'clipboard.write',
  'clipboard.clear',
  'dialog.open-file',
  'dialog.save-file',
  'session.restore',
];

/** Session operations a caller may make before it has unlocked (everything else needs a session). */
export const PUBLIC_SESSION_OPS: readonly SessionOpName[] = ['session.status', 'session.create', 'session.unlock', 'session.unlock-device'];

export function isSessionOp(op: string): op is SessionOpName {
  return (SESSION_OPS as readonly string[]).includes(op);
}

export type UiOpName = OperationKey | SessionOpName;

/**
 * Operations a UI runs only with the current master password as well (electron/ui/bridge.ts):
 * changing that password, and every change to the access keys of `keyhold serve` — credentials
 * that outlive the UI session, so a stolen cookie or an unattended window must not mint,
 * re-enable or delete one.
 */
export const REAUTHENTICATED_OPS = ['vaultChangePassword', 'createAccessKey', 'updateAccessKey', 'deleteAccessKey'] as const satisfies readonly OperationKey[];
export type ReauthenticatedOp = (typeof REAUTHENTICATED_OPS)[number];

export function isReauthenticated(op: string): op is ReauthenticatedOp {
  return (REAUTHENTICATED_OPS as readonly string[]).includes(op);
}

/**
 * What a caller passes: the schema's input type, so fields with defaults may be left out.
 * Over the UI, the operations of REAUTHENTICATED_OPS also take the current master password.
 */
export type UiInput<K extends UiOpName> = K extends SessionOpName
  ? SessionOps[K]['input']
  : K extends ReauthenticatedOp
    ? OperationInput<K> & { current_password: string }
    : K extends OperationKey
      ? OperationInput<K>
      : never;

export type UiOutput<K extends UiOpName> = K extends SessionOpName ? SessionOps[K]['output'] : K extends OperationKey ? OperationOutput<K> : never;

export interface UiErrorBody {
  code: string;
  message: string;
}

/** What the IPC handler answers: errors travel as data, since invoke() loses their class. */
export type UiResult = { ok: true; value: unknown } | { ok: false; error: UiErrorBody };

export type LockReason = 'user' | 'idle' | 'os-lock' | 'suspend' | 'closed' | 'restore';

export type UiEvent =
  | { type: 'locked'; reason: LockReason }
  | { type: 'unlocked' }
  /** A long operation (file encrypt/decrypt/sign) moving on: `done` of `total` bytes. */
  | { type: 'progress'; op: string; done: number; total: number };

export const AUTO_LOCK_DEFAULT_MINUTES = 5;
export const AUTO_LOCK_MAX_MINUTES = 120;
export const CLIPBOARD_CLEAR_SECONDS = 30;

/** IPC channel names: the preload and ipc.ts agree on them here. */
export const IPC_CALL = 'keyhold:call';
export const IPC_EVENT = 'keyhold:event';

/** Web mode: the one endpoint and the header every UI request carries (a CSRF guard). */
export const UI_CALL_PATH = '/keyhold/ui/call';
export const UI_HEADER = 'x-keyhold-ui';
export const UI_COOKIE = 'keyhold_ui';

/**
 * Web mode's file endpoints (docs/server.md, "Files in web mode"): `POST UI_FILE_PATH + job`
 * takes the file as the raw request body and the job's other fields, as percent-encoded JSON,
 * in UI_INPUT_HEADER; its answer is NDJSON (progress lines, then the result, naming a download
 * when there is one); `GET UI_DOWNLOAD_PATH + id` serves that download once.
 */
export const UI_FILE_PATH = '/keyhold/ui/file/';
export const UI_DOWNLOAD_PATH = '/keyhold/ui/download/';
export const UI_INPUT_HEADER = 'x-keyhold-input';
export type UiFileJob = 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'backup' | 'restore';
export const UI_FILE_JOBS: readonly UiFileJob[] = ['encrypt', 'decrypt', 'sign', 'verify', 'backup', 'restore'];

/** One line of a file job's answer. */
export type UiFileLine =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: Record<string, unknown>; download: { id: string; bytes: number } | null }
  | { type: 'error'; error_code: string; error_msg: string };
