/**
 * `keyhold serve`: the operation registry over HTTP at the cloud's routes. Requests are
 * authenticated (AK/SK by default; the desktop's web mode adds its own authenticator), bodies
 * are size-limited and passed as raw bytes to the signature check, and every error is the
 * cloud's shape for the operation's service.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import type { Caller, Session } from '../core/api/index.js';
import type { Authenticator } from './aksk.js';
import { buildRoutes, matchRoute } from './routes.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A handler tried before the API routes (static files, UI endpoints); true when it answered. */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<boolean> | boolean;

export interface ServerOptions {
  authenticators: Authenticator[];
  maxBodyBytes?: number;
  extraHandlers?: ExtraHandler[];
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
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

function parseJson(body: Buffer, service: string): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KeyholdError(service === 'kms' ? 'KMS.0202' : `${service.toUpperCase()}.0004`, 'The request body is not a JSON object.', 400);
  }
  return value as Record<string, unknown>;
}

export function keyholdRequestListener(session: Session, opts: ServerOptions): RequestListener {
  const routes = buildRoutes();
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const projectId = session.domain.project_id;
  return (req, res) => {
    const requestId = randomUUID();
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://keyhold.local');
        let body: Buffer;
        try {
          body = await readBody(req, limit);
        } catch (e) {
          if (e instanceof BodyTooLarge) throw new KeyholdError('APIGW.0201', `Request body too large (limit ${limit} bytes).`, 413);
          throw e;
        }
        for (const extra of opts.extraHandlers ?? []) if (await extra(req, res, url, body)) return;
        const found = matchRoute(routes, req.method ?? 'GET', url.pathname);
        if (!found) throw new KeyholdError('APIGW.0101', 'The API does not exist or has not been published in the environment.', 404);
        if ('methodNotAllowed' in found) throw new KeyholdError('APIGW.0101', `Method ${req.method} is not allowed here.`, 405);
        let caller: Caller | undefined;
        for (const authenticate of opts.authenticators) {
          caller = authenticate(req, url, body);
          if (caller) break;
        }
        if (!caller) throw new KeyholdError('APIGW.0301', 'Incorrect IAM authentication information: the request is not signed.', 401);
        const { route, params } = found;
        if (params.project_id !== undefined && params.project_id !== projectId) {
          throw new KeyholdError('APIGW.0101', `Unknown project ${params.project_id}: this server's project_id is ${projectId}.`, 404);
        }
        const { project_id: _project, ...pathParams } = params;
        const input = { ...(route.method === 'GET' || route.method === 'DELETE' ? Object.fromEntries(url.searchParams) : parseJson(body, route.op.decl.service)), ...pathParams };
        const fileField = route.op.decl.localFileFields?.find((f) => input[f] !== undefined);
        if (fileField) throw new KeyholdError(route.op.decl.validation.invalid, `Invalid parameter ${fileField}: it names a local file and is not accepted over HTTP.`, 400);
        const result = await session.run(route.op, input, 'http', caller);
        const status = route.op.decl.route?.status ?? 200;
        sendJson(res, status, status === 204 || result === undefined ? undefined : result, requestId);
      } catch (e) {
        if (!res.headersSent) sendError(res, e, requestId);
        else res.destroy();
      }
    })();
  };
}
