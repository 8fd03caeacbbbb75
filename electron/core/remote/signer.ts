/**
 * Huawei Cloud's AK/SK request signature, `SDK-HMAC-SHA256` (reference/huawei-dew-api.md §2.2),
 * used both to sign requests to a remote and to verify requests to `keyhold serve`. Pure: a
 * request is method, raw path, query pairs, headers and the exact body bytes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SignableRequest {
  method: string;
  /** The path as sent, possibly percent-encoded, without the query. */
  path: string;
  query: [string, string][];
  /** Header names in any case; values as sent. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Percent-encodes everything but the unreserved set A–Z a–z 0–9 - _ . ~ (upper-case hex). */
export function encodeUnreserved(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Paths made only of unreserved characters and slashes: decoding and re-encoding leaves them as they are. */
const PLAIN_PATH = /^[A-Za-z0-9\-_.~/]*$/;

export function canonicalUri(path: string): string {
  const uri = PLAIN_PATH.test(path)
    ? path
    : path
        .split('/')
        .map((seg) => encodeUnreserved(safeDecode(seg)))
        .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

export function canonicalQuery(query: [string, string][]): string {
  return [...query]
    .map(([k, v]) => [encodeUnreserved(k), encodeUnreserved(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** A header by lower-case name; names given in lower case (as node:http hands them over) are found without a scan. */
function headerValue(headers: Record<string, string>, name: string): string | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The lower-case hex SHA-256 of a body: what every canonical request ends with. */
export function bodySha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The canonical request. Its last line is always the SHA-256 of the body bytes themselves,
 * never a value taken from a header: a header that claims a hash would let a captured
 * signature cover any other body (docs/server.md, "What the signature covers").
 */
export function canonicalRequest(req: SignableRequest, signedHeaders: string[]): string {
  const headerBlock = signedHeaders.map((h) => `${h}:${(headerValue(req.headers, h) ?? '').trim()}\n`).join('');
  const bodyHash = bodySha256(req.body);
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(req.query), headerBlock, signedHeaders.join(';'), bodyHash].join('\n');
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`;
}

export function signature(req: SignableRequest, signedHeaders: string[], secretKey: string): string {
  const date = headerValue(req.headers, 'x-sdk-date') ?? '';
  return createHmac('sha256', Buffer.from(secretKey, 'utf8'))
    .update(stringToSign(canonicalRequest(req, signedHeaders), date))
    .digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function sdkDate(t: Date): string {
  return t
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses an `X-Sdk-Date`; null when malformed. */
export function parseSdkDate(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Signs `req` in place: adds X-Sdk-Date (unless present) and Host (when given), then the
 * Authorization header over every header whose name has no underscore, as the SDKs do. Host
 * is always among them (a verifier that wants it signed, as `keyhold serve` does, would refuse
 * the request otherwise), so a request without one is not signed at all.
 */
export function signRequest(req: SignableRequest, credentials: { access: string; secret: string }, opts: { now?: Date; host?: string } = {}): void {
  if (headerValue(req.headers, 'x-sdk-date') === undefined) req.headers['X-Sdk-Date'] = sdkDate(opts.now ?? new Date());
  if (opts.host && headerValue(req.headers, 'host') === undefined) req.headers.Host = opts.host;
  if (!headerValue(req.headers, 'host')) throw new KeyholdError(LocalErrors.BadArgument, 'The request has no Host header to sign.', 400);
  const signed = Object.keys(req.headers)
    .map((h) => h.toLowerCase())
    .filter((h) => !h.includes('_') && h !== 'authorization')
    .sort();
  req.headers.Authorization = `${SIGNING_ALGORITHM} Access=${credentials.access}, SignedHeaders=${signed.join(';')}, Signature=${signature(req, signed, credentials.secret)}`;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header || header.length > 4096 || !header.startsWith(`${SIGNING_ALGORITHM} `)) return null;
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGNING_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const sig = fields.get('Signature');
  if (!access || !signedHeaders || !sig || !/^[0-9a-f]{64}$/.test(sig)) return null;
  return { access, signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()), signature: sig };
}

/** Constant-time check of a parsed Authorization against the secret key it names. */
export function verifySignature(req: SignableRequest, auth: ParsedAuthorization, secretKey: string): boolean {
  const expected = Buffer.from(signature(req, auth.signedHeaders, secretKey), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
