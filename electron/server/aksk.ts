/**
 * AK/SK authentication of requests to `keyhold serve` (reference §2.2 verifier checklist, made
 * strict as AWS SigV4 and Huawei's API gateway are): SDK-HMAC-SHA256 over the request as
 * received, `host` and `x-sdk-date` signed, the date within 15 minutes, the canonical request
 * ending with the SHA-256 of the body bytes received (a content-hash header is honoured only
 * when signed, and then must equal that hash), the access key active in this vault.
 */
import type { IncomingMessage } from 'node:http';
import { KeyholdError } from '../../shared/errors.js';
import { bodySha256, parseAuthorization, parseSdkDate, verifySignature, type Caller, type Session } from '../core/api/index.js';
import { GatewayErrors } from './errors.js';

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The header by which a client states the body's hash (Huawei's SDKs; AWS's x-amz-content-sha256). */
const CONTENT_HASH_HEADER = 'x-sdk-content-sha256';
/** What an SDK puts in that header to leave the body out of the signature: never accepted here, every route takes JSON. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Headers every signature must cover: the date (replay window) and the host (no re-targeting). */
const REQUIRED_SIGNED = ['host', 'x-sdk-date'] as const;

function unauthorized(code: string, message: string): KeyholdError {
  return new KeyholdError(code, message, 401);
}

const iamError = (why: string) => unauthorized(GatewayErrors.BadSignature, `Incorrect IAM authentication information: ${why}`);

/**
 * An authenticator, in two steps so that no body is read for a request its headers already
 * condemn: undefined when the request is not of its scheme; else, once the headers pass (or a
 * 401 is thrown), the check of the body bytes that yields the Caller (or throws 401).
 */
export type Authenticator = (req: IncomingMessage, url: URL) => ((body: Buffer) => Caller) | undefined;

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/** Refuses a content-hash header the signature does not cover, or one that does not describe this body. */
function checkContentHash(req: IncomingMessage, signedHeaders: string[], body: Buffer): void {
  const claimed = single(req.headers[CONTENT_HASH_HEADER]);
  if (claimed === undefined) return;
  if (!signedHeaders.includes(CONTENT_HASH_HEADER)) throw iamError(`${CONTENT_HASH_HEADER} is present but not signed.`);
  if (claimed.trim() === UNSIGNED_PAYLOAD) throw iamError(`${UNSIGNED_PAYLOAD} is not accepted: the body of a JSON request must be signed.`);
  if (claimed.trim().toLowerCase() !== bodySha256(body)) throw iamError(`${CONTENT_HASH_HEADER} does not match the body received.`);
}

export function akskAuthenticator(session: Session, now: () => number = Date.now): Authenticator {
  return (req, url) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('SDK-HMAC-SHA256 ')) return undefined;
    const auth = parseAuthorization(header);
    if (!auth) throw iamError('malformed Authorization header.');
    for (const name of REQUIRED_SIGNED) if (!auth.signedHeaders.includes(name)) throw iamError(`${name} must be signed.`);
    const dateHeader = req.headers['x-sdk-date'];
    const date = typeof dateHeader === 'string' ? parseSdkDate(dateHeader) : null;
    if (!date) throw iamError('X-Sdk-Date missing or malformed.');
    if (Math.abs(now() - date.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw unauthorized(
        GatewayErrors.Expired,
        'Incorrect app authentication information: signature expired (X-Sdk-Date is more than 15 minutes from server time).',
      );
    }
    const key = session.accessKey(auth.access);
    if (!key) throw iamError('verify aksk signature fail.');
    // Only the headers the signature covers (node:http gives their names in lower case).
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const v = Object.hasOwn(req.headers, name) ? single(req.headers[name]) : undefined;
      if (v !== undefined) headers[name] = v;
    }
    return (body) => {
      checkContentHash(req, auth.signedHeaders, body);
      const signable = { method: req.method ?? 'GET', path: url.pathname, query: [...url.searchParams.entries()], headers, body };
      if (!verifySignature(signable, auth, key.secret)) throw iamError('verify aksk signature fail.');
      return { access_key: auth.access, role: key.role };
    };
  };
}
