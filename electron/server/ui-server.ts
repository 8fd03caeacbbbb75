/**
 * `keyhold serve --ui`: the built renderer, the UI's one JSON endpoint and the cloud routes on
 * one port. The vault may start absent or locked; the browser creates or unlocks it with the
 * master password and gets a session cookie (ui-session.ts). The cloud routes (AK/SK-signed)
 * answer while the vault is unlocked.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { isSessionOp, PUBLIC_SESSION_OPS, UI_CALL_PATH, UI_COOKIE, type SessionOpName, type SessionStatus } from '../../shared/ui/contract.js';
import { SECURITY_HEADERS } from '../../shared/ui/security-headers.js';
import type { Session } from '../core/api/index.js';
import { dispatchUiCall, toUiError } from '../ui/bridge.js';
import type { Workspace } from '../ui/workspace.js';
import { akskAuthenticator } from './aksk.js';
import { DEFAULT_BODY_TIMEOUT_MS, keyholdRequestListener, parseJsonObject, readBody } from './http.js';
import { isUiAsset, serveStatic } from './static.js';
import { FailedLogins, type PasswordAttempt } from './ui-failed-logins.js';
import { DEFAULT_UPLOAD_LIMIT_BYTES, isUiFilePath, sessionHash, UiFiles } from './ui-files.js';
import { allowedHosts, csrfProblem, hostAllowed, readCookie, UiSessions } from './ui-session.js';
import { LoginThrottle } from './ui-throttle.js';
import { UiErrors } from './errors.js';

/** UI requests are small (no file contents travel through this endpoint). */
const UI_BODY_LIMIT = 256 * 1024;

function send(res: ServerResponse, status: number, body: unknown, cookie?: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(cookie ? { 'Set-Cookie': cookie } : {}),
  });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, e: unknown): void {
  const { code, message, status } = toUiError(e);
  send(res, status, { error_code: code, error_msg: message });
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<{ op?: unknown; input?: unknown }> {
  return parseJsonObject(
    await readBody(req, res, { limit: UI_BODY_LIMIT, timeoutMs: DEFAULT_BODY_TIMEOUT_MS, code: LocalErrors.BadArgument }),
    LocalErrors.BadArgument,
  );
}

export interface UiServerOptions {
  staticRoot: string;
  scheme: 'http' | 'https';
  /** Host names (beyond loopback and the bind address) browsers may use: `--allow-host`. */
  allowHosts?: readonly string[];
  /** The throttle's and the audit's clock; tests pass a fake one. */
  now?: () => number;
  /** The largest file web mode takes by upload (ui-files.ts); default 256 MiB. */
  uploadLimitBytes?: number;
  /** Where uploads are staged (a private folder is made in it); default the vault's folder. */
  stagingParent?: string;
}

export class UiServer {
  private readonly sessions: UiSessions;
  private readonly throttle: LoginThrottle;
  private readonly failures: FailedLogins;
  private readonly files: UiFiles;
  /** Until listening() says where it listens, no Host is allowed. */
  private hosts = new Set<string>();
  private cloud: { session: Session; listener: RequestListener } | null = null;

  constructor(
    private readonly ws: Workspace,
    private readonly opts: UiServerOptions,
  ) {
    this.sessions = new UiSessions(opts.scheme === 'https');
    this.throttle = new LoginThrottle(opts.now);
    this.failures = new FailedLogins(opts.now);
    this.files = new UiFiles({
      ws,
      scheme: opts.scheme,
      limitBytes: this.uploadLimit,
      stagingParent: opts.stagingParent ?? dirname(ws.vaultPath),
      sessionOf: (req) => (this.sessions.has(req) ? sessionHash(readCookie(req.headers.cookie, UI_COOKIE) as string) : null),
      checkPassword: (req, password, attempt) => this.passwordCheck(req, attempt, () => ws.checkPassword(password)),
      revokeAll: () => this.sessions.revokeAll(),
    });
    // Whatever locked the vault (idle, the lock button), every browser session ends with it;
    // once it is open, the wrong passwords tried while it was locked go into its audit log.
    ws.onEvent((e) => {
      if (e.type === 'locked') this.sessions.revokeAll();
      else if (e.type === 'unlocked') void this.failures.flush(ws.current);
    });
  }

  private get uploadLimit(): number {
    return this.opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES;
  }

  /** A signed-in browser's status also states the upload bound, which the Files screen shows. */
  private signedInStatus(status: unknown): SessionStatus {
    return { ...(status as SessionStatus), upload_limit_bytes: this.uploadLimit };
  }

  /** The server is stopping: running file jobs stop and every staged file goes. */
  close(): Promise<void> {
    return this.files.close();
  }

  /** Called once listening: the Host names browsers may use from now on. */
  listening(bindHost: string, port: number): void {
    this.hosts = allowedHosts(bindHost, port, this.opts.allowHosts);
  }

  readonly listener: RequestListener = (req, res) => {
    void this.handle(req, res).catch((e) => {
      if (res.headersSent || res.destroyed) return void res.destroy();
      // Refused before its body was read (Host, CSRF): the connection ends with the answer.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, e);
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://keyhold.local');
    const forUi = url.pathname === UI_CALL_PATH || isUiFilePath(url.pathname) || isUiAsset(req.method, url.pathname);
    if (forUi && !hostAllowed(req, this.hosts)) {
      throw new KeyholdError(
        UiErrors.UnknownHost,
        'Unknown Host: open Keyhold at the address `keyhold serve --ui` printed (other names need --allow-host).',
        421,
      );
    }
    if (url.pathname === UI_CALL_PATH) return this.uiCall(req, res);
    if (isUiFilePath(url.pathname)) return this.files.handle(req, res, url);
    if (forUi && (await serveStatic(this.opts.staticRoot, req, res, url))) return;
    const session = this.ws.current;
    if (!session) throw new KeyholdError(LocalErrors.VaultLocked, 'The vault is locked: unlock it in the web UI first.', 503);
    if (this.cloud?.session !== session) this.cloud = { session, listener: keyholdRequestListener(session, { authenticators: [akskAuthenticator(session)] }) };
    this.cloud.listener(req, res);
  }

  /**
   * A master-password check under the throttle: refused (429) without any KDF work while the
   * client or the server must wait; a wrong password is audited (without the guess).
   */
  private async passwordCheck<T>(req: IncomingMessage, attempt: PasswordAttempt, check: () => Promise<T>): Promise<T> {
    const client = req.socket.remoteAddress ?? 'unknown';
    this.throttle.begin(client);
    try {
      const result = await check();
      this.throttle.succeeded(client);
      return result;
    } catch (e) {
      if (e instanceof KeyholdError && e.code === LocalErrors.WrongPassword) await this.failures.note(client, attempt, e.code, this.ws.current);
      else this.throttle.released(client);
      throw e;
    }
  }

  private async uiCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const problem = csrfProblem(req, this.opts.scheme);
    if (problem) throw new KeyholdError(UiErrors.Refused, `Refused: ${problem}`, 403);
    const { op, input } = await readJson(req, res);
    const signedIn = this.sessions.has(req);
    if (!signedIn && !(isSessionOp(String(op)) && PUBLIC_SESSION_OPS.includes(op as SessionOpName))) {
      throw new KeyholdError(UiErrors.NoSession, 'Your session has ended: unlock the vault again.', 401);
    }
    switch (op) {
      case 'session.status': {
        if (signedIn) return send(res, 200, this.signedInStatus(await dispatchUiCall(this.ws, op, input, 'http')));
        // Before login a browser learns only whether there is a vault (an open one shows as
        // locked: it must give the password); its asking is not activity that keeps it open.
        const { state, transport, remember } = this.ws.status();
        return send(res, 200, { state: state === 'unlocked' ? 'locked' : state, transport, remember, remembered: false } satisfies SessionStatus);
      }
      case 'session.unlock': {
        const password = String((input as { password?: unknown } | null)?.password ?? '');
        if (this.ws.unlocked) {
          await this.passwordCheck(req, 'unlock', () => this.ws.checkPassword(password));
          return send(res, 200, this.signedInStatus(this.ws.status()), this.sessions.issue());
        }
        const status = await this.passwordCheck(req, 'unlock', () => dispatchUiCall(this.ws, op, input, 'http'));
        return send(res, 200, this.signedInStatus(status), this.sessions.issue());
      }
      case 'session.create':
      case 'session.unlock-device':
        return send(res, 200, this.signedInStatus(await dispatchUiCall(this.ws, op, input, 'http')), this.sessions.issue());
      case 'session.lock': {
        const status = await dispatchUiCall(this.ws, op, input, 'http');
        return send(res, 200, status, this.sessions.revokeAll());
      }
      case 'createAccessKey':
      case 'updateAccessKey':
      case 'deleteAccessKey':
        // The bridge asks for the current password (access keys outlive the browser session).
        return send(res, 200, await this.passwordCheck(req, 'access-key', () => dispatchUiCall(this.ws, op, input, 'http')));
      case 'vaultChangePassword': {
        // The bridge asks for the current password; a changed password ends every other browser session.
        const result = await this.passwordCheck(req, 'change-password', () => dispatchUiCall(this.ws, op, input, 'http'));
        this.sessions.revokeOthers(req);
        return send(res, 200, result);
      }
      default:
        return send(res, 200, (await dispatchUiCall(this.ws, op, input, 'http')) ?? null);
    }
  }
}
