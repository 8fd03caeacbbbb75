/**
 * AK/SK authentication of requests to `keyhold serve` (reference §2.2 verifier checklist):
 * SDK-HMAC-SHA256 over the request as received, x-sdk-date signed and within 15 minutes,
 * the access key active in this vault.
 */
import type { IncomingMessage } from 'node:http';
import { KeyholdError } from '../../shared/errors.js';
import { parseAuthorization, parseSdkDate, verifySignature, type Caller, type Session } from '../core/api/index.js';

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

function unauthorized(code: string, message: string): KeyholdError {
  return new KeyholdError(code, message, 401);
}

/** An authenticator: a Caller when the request is for it and valid; undefined when not its scheme. */
export type Authenticator = (req: IncomingMessage, url: URL, body: Buffer) => Caller | undefined;

export function akskAuthenticator(session: Session, now: () => number = Date.now): Authenticator {
  return (req, url, body) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('SDK-HMAC-SHA256 ')) return undefined;
    const auth = parseAuthorization(header);
    if (!auth) throw unauthorized('APIGW.0301', 'Incorrect IAM authentication information: malformed Authorization header.');
    if (!auth.signedHeaders.includes('x-sdk-date')) throw unauthorized('APIGW.0301', 'Incorrect IAM authentication information: x-sdk-date must be signed.');
    const dateHeader = req.headers['x-sdk-date'];
    const date = typeof dateHeader === 'string' ? parseSdkDate(dateHeader) : null;
    if (!date) throw unauthorized('APIGW.0301', 'Incorrect IAM authentication information: X-Sdk-Date missing or malformed.');
    if (Math.abs(now() - date.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw unauthorized('APIGW.0303', 'Incorrect app authentication information: signature expired (X-Sdk-Date is more than 15 minutes from server time).');
    }
    const key = session.accessKey(auth.access);
    // Only the headers the signature covers (node:http gives their names in lower case).
    const headers: Record<string, string> = {};
    for (const name of [...auth.signedHeaders, 'x-sdk-content-sha256']) {
      const v = Object.hasOwn(req.headers, name) ? req.headers[name] : undefined;
      if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    const signable = { method: req.method ?? 'GET', path: url.pathname, query: [...url.searchParams.entries()], headers, body };
    if (!key || !verifySignature(signable, auth, key.secret)) {
      throw unauthorized('APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail.');
    }
    return { access_key: auth.access, role: key.role };
  };
}
