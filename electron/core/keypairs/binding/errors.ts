/**
 * Why a binding task failed: one code per cause the cloud's FAQ lists (seed FAQ 3.7–3.10), in
 * the flat KPS error shape. The cloud publishes no codes for these; KPS.81xx are Keyhold's.
 * Messages say what was seen and what to check, never a password or key.
 */
import { KeyholdError } from '../../../../shared/errors.js';

export const TaskFailures = {
  ConnectionRefused: 'KPS.8101',
  Unreachable: 'KPS.8102',
  AuthenticationFailed: 'KPS.8103',
  HostKeyChanged: 'KPS.8104',
  WrongPermissions: 'KPS.8105',
  ReadOnly: 'KPS.8106',
  DiskFull: 'KPS.8107',
  ConnectionLost: 'KPS.8108',
  NewKeyRejected: 'KPS.8109',
  SshdConfigInvalid: 'KPS.8110',
  NeedsRoot: 'KPS.8111',
  WouldLockOut: 'KPS.8112',
  RemoteFileError: 'KPS.8113',
  NotWritableByUser: 'KPS.8114',
  Cancelled: 'KPS.8115',
  Unexpected: 'KPS.8199',
} as const;
export type TaskFailureCode = (typeof TaskFailures)[keyof typeof TaskFailures];

/** The FAQ's wording of each cause, prefixed to every failure message. */
const CAUSES: Record<TaskFailureCode, string> = {
  'KPS.8101': 'Connection refused: sshd is not listening on that host and port, or a firewall or security group rule blocks it',
  'KPS.8102': 'The server could not be reached (network fault, server shut down, or timeout)',
  'KPS.8103': 'Authentication failed: an incorrect or invalid password or private key was provided',
  'KPS.8104': 'Host key changed: the server presented a host key other than the pinned one; check it, then `keyhold servers pin-host-key --id ID --accept-new`',
  'KPS.8105':
    'Wrong permissions or owner of ~/.ssh or authorized_keys (sshd needs ~/.ssh 700 and authorized_keys 600, owned by the user, and no group/world-writable home)',
  'KPS.8106': 'authorized_keys is read-only: Keyhold does not override a file its owner made read-only',
  'KPS.8107': 'Disk full: the server has no space left to write the file',
  'KPS.8108': 'The connection was lost during the operation (server shut down or restarted, network fault)',
  'KPS.8109': 'The new key does not log in: sshd rejected it after it was written (SSH configuration of the server modified, or permissions)',
  'KPS.8110': 'SSH configuration rejected: the edited sshd_config does not pass `sshd -t`, or it does not take effect',
  'KPS.8111': 'Changing sshd_config needs the login user to be root',
  'KPS.8112': 'Refused, it would lock the user out',
  'KPS.8113': 'A file operation on the server failed',
  'KPS.8114':
    'The login user cannot write the authorized_keys file: it (or its directory) belongs to another user, as with a root-managed AuthorizedKeysFile such as /srv/keys/%u; bind as root (a server entry whose user is root) or as a user who can write it',
  'KPS.8115': 'Cancelled by the user (Ctrl-C) while it ran; what the task had changed was rolled back',
  'KPS.8199': 'Keyhold met an unexpected error; what it changed was rolled back where possible',
};

/** A failure inside a binding task: becomes the task's task_error_code and task_error_msg. */
export class TaskFailure extends Error {
  constructor(
    readonly code: TaskFailureCode,
    detail: string,
  ) {
    super(detail ? `${CAUSES[code]}: ${detail}` : CAUSES[code]);
  }
}

/** Request errors, answered before any task starts (400/404 like the cloud). */
export const BindingErrors = {
  Missing: 'KPS.0001',
  Invalid: 'KPS.0002',
  KeypairNotFound: 'KPS.7001',
  ServerNotFound: 'KPS.8001',
  HostKeyNotPinned: 'KPS.8002',
  TaskNotFound: 'KPS.8003',
} as const;

export function bindingError(code: string, message: string, status = 400): KeyholdError {
  return new KeyholdError(code, message, status);
}
