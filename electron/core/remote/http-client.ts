/**
 * Signed HTTP to a remote, with the best-practice seed's retry rule: retry 429, 500, 502 and
 * 504 (and 503, which means the same; and network failures or timeouts) with exponential
 * backoff from 200 ms and full jitter,
 * up to 4 tries in all; each try has its own timeout (6 s by default, inside the 5–8 s the seed
 * advises for 502/504). Remote errors are parsed as tolerantly as the SDK does.
 *
 * A request that is not idempotent (creating a version or a secret: each try makes one more) is
 * retried only when it provably did nothing there: it never connected (refused, no such host),
 * or the remote refused it before acting (429 throttled, 503 unavailable, RFC 9110 §15.6.4).
 * Any other failure after the request may have been sent (a timeout, a connection closed before
 * or during the answer, 500, 502, 504) is an `OutcomeUnknown`: the caller reads the remote's
 * state to learn whether the write happened (docs/sync.md, "Lost answers").
 */
import { randomInt } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import { signRequest } from './signer.js';
import { RemoteErrors } from './errors.js';

export interface RemoteEndpoint {
  baseUrl: string;
  access_key: string;
  secret_key: string;
  project_id: string;
}

export interface RetryPolicy {
  tries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { tries: 4, baseDelayMs: 200, maxDelayMs: 5000, timeoutMs: 6000 };
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
/** Answers that say the remote did not act on the request, so even a write may be sent again. */
const NOT_ACTED_STATUS = new Set([429, 503]);
/** Connection errors raised before a byte of the request could be sent. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A write whose outcome is unknown: it may or may not have happened on the remote. Never retried
 * blindly; `answered` tells whether the remote (or a gateway) answered at all.
 */
export class OutcomeUnknown extends KeyholdError {
  constructor(
    message: string,
    readonly answered: boolean,
  ) {
    super(RemoteErrors.OutcomeUnknown, `${message} The write may or may not have been applied on the remote; read its state before writing again.`, 502);
  }
}

function neverSent(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown; errors?: { code?: unknown }[] } }).cause;
  // Several addresses tried (IPv4 and IPv6): never sent only if every one of them failed so.
  if (Array.isArray(cause?.errors) && cause.errors.length) return cause.errors.every((x) => typeof x.code === 'string' && NEVER_SENT.has(x.code));
  const code = cause?.code ?? (e as { code?: unknown }).code;
  return typeof code === 'string' && NEVER_SENT.has(code);
}

export interface HttpDeps {
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

export const realHttpDeps: HttpDeps = { fetch: (...a) => fetch(...a), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => new Date() };

/** Full jitter: a uniform delay in [0, min(max, base·2^attempt)]. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return randomInt(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) + 1);
}

/** Reads the error out of any of the cloud's shapes (KMS nested, flat, gateway, SDK fallbacks). */
export function remoteError(status: number, text: string): KeyholdError {
  let code: string | undefined;
  let msg: string | undefined;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const pick = (o: Record<string, unknown>) => {
      const c = o.error_code ?? o.errorCode ?? o.code;
      const m = o.error_msg ?? o.errorMsg ?? o.message;
      return typeof c === 'string' ? { c, m: typeof m === 'string' ? m : '' } : undefined;
    };
    const found =
      pick(body) ??
      Object.values(body)
        .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
        .map(pick)
        .find(Boolean);
    code = found?.c;
    msg = found?.m;
  } catch {
    // Not JSON: fall back to the status, as the SDK does.
  }
  return new KeyholdError(code ?? `REMOTE.${status}`, `Remote answered ${status}: ${msg || text.slice(0, 200) || 'no body'}`, status);
}

export interface RemoteRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: [string, string][];
  body?: unknown;
  /** False for a write that must not happen twice (see the header); true by default. */
  idempotent?: boolean;
}

export async function remoteRequest(
  endpoint: RemoteEndpoint,
  req: RemoteRequest,
  deps: HttpDeps = realHttpDeps,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<{ status: number; body: unknown }> {
  const url = new URL(endpoint.baseUrl.replace(/\/+$/, '') + req.path);
  for (const [k, v] of req.query ?? []) url.searchParams.append(k, v);
  const bytes = req.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(req.body));
  let lastError: KeyholdError | undefined;
  for (let attempt = 0; attempt < policy.tries; attempt++) {
    if (attempt > 0) await deps.sleep(backoffDelay(policy, attempt - 1));
    const headers: Record<string, string> = {
      'Content-Type': req.body === undefined ? 'application/json' : 'application/json;charset=UTF-8',
      'X-Project-Id': endpoint.project_id,
    };
    const signable = { method: req.method, path: url.pathname, query: [...url.searchParams.entries()], headers, body: bytes };
    signRequest(signable, { access: endpoint.access_key, secret: endpoint.secret_key }, { now: deps.now(), host: url.host });
    let res: Response;
    try {
      res = await deps.fetch(url, {
        method: req.method,
        headers: signable.headers,
        body: bytes.length ? bytes : undefined,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (e as Error).message;
      if (req.idempotent === false && !neverSent(e))
        throw new OutcomeUnknown(`${req.method} ${url.pathname} to ${url.origin} failed after it may have been sent: ${why}.`, false);
      lastError = new KeyholdError(RemoteErrors.Unreachable, `Cannot reach ${url.origin}: ${why}.`, 502);
      continue;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      // The connection broke in the middle of the answer: the remote acted on the request.
      if (req.idempotent === false) throw new OutcomeUnknown(`The answer to ${req.method} ${url.pathname} was cut off: ${(e as Error).message}.`, false);
      lastError = new KeyholdError(RemoteErrors.Unreachable, `The answer from ${url.origin} was cut off: ${(e as Error).message}.`, 502);
      continue;
    }
    if (res.ok) {
      try {
        return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      } catch {
        throw new KeyholdError(RemoteErrors.BadAnswer, `The remote answered ${res.status} with a body that is not JSON.`, 502);
      }
    }
    lastError = remoteError(res.status, text);
    if (!RETRY_STATUS.has(res.status)) throw lastError;
    if (req.idempotent === false && !NOT_ACTED_STATUS.has(res.status))
      throw new OutcomeUnknown(`${req.method} ${url.pathname} got ${res.status} (${lastError.message}).`, true);
  }
  throw lastError ?? new KeyholdError(RemoteErrors.Unreachable, 'The remote did not answer.', 502);
}
