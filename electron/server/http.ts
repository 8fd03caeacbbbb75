/**
 * `keyhold serve`: the operation registry over HTTP at the cloud's routes. Requests are
 * authenticated (AK/SK): what the headers alone decide (route, scheme, signed-header list,
 * date, an active access key) is checked before a byte of the body is read, so an anonymous
 * client cannot make the server buffer anything; the body is then read within a size bound
 * (also for chunked bodies: 413, not a reset) and a time bound, and its exact bytes go to the
 * signature check. Every error is the cloud's shape for the operation's service.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerOptions as NodeServerOptions, ServerResponse } from 'node:http';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { admit, type Caller, type Session } from '../core/api/index.js';
import type { Authenticator } from './aksk.js';
import { buildRoutes, matchRoute } from './routes.js';
import { GatewayErrors } from './errors.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How long a client may take to send a body once its headers are in. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/**
 * Socket-level bounds for every server Keyhold listens with (`serve`, `serve --ui`): the
 * headers within 10 s, the whole request within 40 s (headers + the 30 s body bound), checked
 * every second rather than Node's default 30 s.
 */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 40_000,
  connectionsCheckingInterval: 1_000,
} satisfies NodeServerOptions;

export interface ServerOptions {
  authenticators: Authenticator[];
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
}

/**
 * The body, at most `limit` bytes within `timeoutMs`; else a KeyholdError with `code` (413 too
 * large, 408 too slow) and the response marked `Connection: close`. Past the limit the rest is
 * read and dropped rather than the socket reset, so the client sees the 413; the connection
 * closes once that answer is sent.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, bounds: { limit: number; timeoutMs: number; code: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (message: string, status: number) => {
      failed = true;
      chunks.length = 0;
      clearTimeout(timer);
      res.setHeader('Connection', 'close');
      reject(new KeyholdError(bounds.code, message, status));
    };
    const timer = setTimeout(() => fail(`Request body not received within ${bounds.timeoutMs / 1000} s.`, 408), bounds.timeoutMs);
    const tooLarge = () => fail(`Request body too large (limit ${bounds.limit} bytes).`, 413);
    if (declared > bounds.limit) tooLarge();
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > bounds.limit) tooLarge();
      else chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      if (!failed) reject(e);
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'X-Request-Id': requestId,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown, requestId: string): void {
  const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
  const wire = err.toWire();
  // Gateway errors carry the request id, as the cloud's API gateway does.
  sendJson(res, err.status, err.code.startsWith('APIGW.') ? { ...wire, request_id: requestId } : wire, requestId);
}

/**
 * A request body that must be one JSON object, for both of the servers' JSON endpoints (the
 * cloud routes, web mode's UI call): anything else is `code` (400), naming what it is not.
 */
export function parseJsonObject(body: Buffer, code: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KeyholdError(code, 'The request body is not JSON.', 400);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new KeyholdError(code, 'The request body is not a JSON object.', 400);
  return value as Record<string, unknown>;
}

/** A cloud route's body: empty means no fields; the error code is the service's own. */
function cloudBody(body: Buffer, service: string): Record<string, unknown> {
  return body.length === 0 ? {} : parseJsonObject(body, service === 'kms' ? 'KMS.0202' : `${service.toUpperCase()}.0004`);
}

export function keyholdRequestListener(session: Session, opts: ServerOptions): RequestListener {
  const routes = buildRoutes();
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTimeout = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const projectId = session.domain.project_id;
  return (req, res) => {
    const requestId = randomUUID();
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://keyhold.local');
        const found = matchRoute(routes, req.method ?? 'GET', url.pathname);
        if (!found) throw new KeyholdError(GatewayErrors.NoSuchApi, 'The API does not exist or has not been published in the environment.', 404);
        if ('methodNotAllowed' in found) throw new KeyholdError(GatewayErrors.NoSuchApi, `Method ${req.method} is not allowed here.`, 405);
        let verify: ((body: Buffer) => Caller) | undefined;
        for (const authenticate of opts.authenticators) {
          verify = authenticate(req, url);
          if (verify) break;
        }
        if (!verify) throw new KeyholdError(GatewayErrors.BadSignature, 'Incorrect IAM authentication information: the request is not signed.', 401);
        const body = await readBody(req, res, { limit, timeoutMs: bodyTimeout, code: GatewayErrors.BadBody });
        const caller = verify(body);
        const { route, params } = found;
        if (params.project_id !== undefined && params.project_id !== projectId) {
          throw new KeyholdError(GatewayErrors.NoSuchApi, `Unknown project ${params.project_id}: this server's project_id is ${projectId}.`, 404);
        }
        const { project_id: _project, ...pathParams } = params;
        const input = {
          ...(route.method === 'GET' || route.method === 'DELETE' ? Object.fromEntries(url.searchParams) : cloudBody(body, route.op.decl.service)),
          ...pathParams,
        };
        admit(route.op.decl, input, 'http');
        const result = await session.run(route.op, input, 'http', caller);
        const status = route.op.decl.route?.status ?? 200;
        sendJson(res, status, status === 204 || result === undefined ? undefined : result, requestId);
      } catch (e) {
        if (res.headersSent || res.destroyed) return void res.destroy();
        // Refused before its body was read: the connection ends with the answer, rather than
        // the server reading the rest of a body it will never use.
        if (!req.complete) res.setHeader('Connection', 'close');
        sendError(res, e, requestId);
      }
    })();
  };
}
