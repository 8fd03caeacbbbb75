/**
 * Which operation may run over which transport: the one rule. A declaration's reach follows
 * from what it says about itself — local files never over HTTP nor to a remote, no cloud route
 * no remote — narrowed by its `reach` (access keys: never to a remote). `Session.run`
 * admits every call; the transports admit before they do anything else (the server builds its
 * routes from `offeredOver`, web mode admits before an offline key tool runs, `--remote` before
 * it sends). A refusal is an `AdmissionRefused` carrying its typed reason; `refusalError` gives
 * each origin its wire form, and every transport's envelope (the cloud's error body, the UI's,
 * the CLI's exit code) carries that.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { CloudRoute, OperationDecl, Reach } from '../../../shared/operations/index.js';
import type { Transport } from './call.js';

/** Where a call comes from: a session transport, or `remote` for a call sent with `--remote`. */
export type Origin = Transport | 'remote';

/** Why a call was not admitted. */
export type RefusalReason =
  /** The declaration's `reach` leaves this transport out. */
  | 'not-offered'
  /** The operation reads or writes files by path; over HTTP a path would name the server's files. */
  | 'local-files'
  /** An input field names a local file (export-private-key --out). */
  | 'local-file-field'
  /** No cloud route: nothing to send to a remote. */
  | 'no-cloud-route';

export interface Refusal {
  reason: RefusalReason;
  decl: OperationDecl;
  origin: Origin;
  /** The field that names a local file, for `local-file-field`. */
  field?: string;
}

/** A refusal as a KeyholdError: `refusal` carries the reason a transport maps to its wire form. */
export class AdmissionRefused extends KeyholdError {
  constructor(
    readonly refusal: Refusal,
    code: string,
    message: string,
    status: number,
  ) {
    super(code, message, status);
  }
}

/** `keyhold agent` serves the CLI's calls; `system` work is the vault's own. */
const REACH_OF_ORIGIN: Record<Origin, Reach> = { cli: 'cli', agent: 'cli', system: 'cli', ipc: 'ipc', http: 'http', remote: 'remote' };

/** The first reason `decl` is never offered over `reach`, whatever the input; null when it is. */
function declaredRefusal(decl: OperationDecl, reach: Reach): RefusalReason | null {
  if (decl.reach && !decl.reach.includes(reach)) return 'not-offered';
  if (decl.localFiles && (reach === 'http' || reach === 'remote')) return 'local-files';
  if (!decl.route && reach === 'remote') return 'no-cloud-route';
  return null;
}

/** Whether `decl` may run over `origin` with some input (the server routes only these). */
export function offeredOver(decl: OperationDecl, origin: Origin): boolean {
  return declaredRefusal(decl, REACH_OF_ORIGIN[origin]) === null;
}

function field(input: unknown, name: string): unknown {
  return input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[name] : undefined;
}

/**
 * Why this call (declaration, raw input, origin) may not run; null when it may. Over HTTP a
 * path would name the server's files, so local files are refused there — unless the server
 * itself named every file of the input (`serverNamedFiles`: web mode's staged uploads).
 */
export function admission(decl: OperationDecl, input: unknown, origin: Origin, serverNamedFiles = false): Refusal | null {
  const reach = REACH_OF_ORIGIN[origin];
  const reason = declaredRefusal(decl, reach);
  if (reason === 'local-files' && serverNamedFiles && reach === 'http') return null;
  if (reason) return { reason, decl, origin };
  if (reach !== 'http' && reach !== 'remote') return null;
  const fileField = decl.localFileFields?.find((f) => field(input, f) !== undefined);
  return fileField ? { reason: 'local-file-field', decl, origin, field: fileField } : null;
}

/** How refusals name a reach. */
const REACH_NAME: Record<Reach, string> = { cli: 'the CLI', ipc: 'the desktop app', http: 'HTTP', remote: 'a remote' };

/**
 * The wire form of a refusal: over HTTP (`keyhold serve` and web mode alike) 403 for an
 * operation never offered there and the operation's own invalid-parameter code for a file
 * field; for `--remote` every refusal is the caller's 400.
 */
function refusalError(r: Refusal): AdmissionRefused {
  const op = `${r.decl.service} ${r.decl.name}`;
  const toRemote = r.origin === 'remote';
  switch (r.reason) {
    case 'not-offered': {
      const where = (r.decl.reach ?? []).map((x) => REACH_NAME[x]).join(' and ');
      return new AdmissionRefused(
        r,
        LocalErrors.Unsupported,
        `${op} is offered in ${where} only, not over ${REACH_NAME[REACH_OF_ORIGIN[r.origin]]}.`,
        toRemote ? 400 : 403,
      );
    }
    case 'local-files':
      if (toRemote)
        return new AdmissionRefused(r, LocalErrors.Unsupported, `${op} runs only locally: it works on files by path, so --remote cannot run it.`, 400);
      return new AdmissionRefused(r, LocalErrors.Unsupported, `${op} works on files by path and is available in the desktop app and the CLI only.`, 403);
    case 'local-file-field':
      if (toRemote)
        return new AdmissionRefused(
          r,
          r.decl.validation.invalid,
          `Invalid parameter ${r.field}: it names a local file, which a remote cannot write; run without it.`,
          400,
        );
      return new AdmissionRefused(r, r.decl.validation.invalid, `Invalid parameter ${r.field}: it names a local file and is not accepted over HTTP.`, 400);
    case 'no-cloud-route':
      return new AdmissionRefused(r, LocalErrors.Unsupported, `${op} runs only locally: it has no cloud route, so --remote cannot run it.`, 400);
  }
}

/** Throws the refusal's AdmissionRefused unless the call may run. */
export function admit(decl: OperationDecl, input: unknown, origin: Origin, serverNamedFiles = false): void {
  const refusal = admission(decl, input, origin, serverNamedFiles);
  if (refusal) throw refusalError(refusal);
}

/** Admits a call for `--remote` and returns the cloud route it is sent to. */
export function admitRemote(decl: OperationDecl, input: unknown): CloudRoute {
  admit(decl, input, 'remote');
  // Admitted for a remote means routed (declaredRefusal): the assertion cannot fail.
  return decl.route as CloudRoute;
}
