/**
 * Web mode's browser sessions: after the vault password, the browser holds a random token in
 * an HttpOnly, SameSite=Strict cookie; only its SHA-256 is kept here. Every UI request must
 * also pass the CSRF guard: a Host this server answers to (no DNS rebinding), an Origin equal
 * to that host, and the custom header the UI client always sends (which a cross-site form or
 * a simple cross-origin fetch cannot add).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UI_COOKIE, UI_HEADER } from '../../shared/ui/contract.js';

const hash = (token: string) => createHash('sha256').update(token).digest();

export class UiSessions {
  private readonly tokens: Buffer[] = [];

  constructor(private readonly secure: boolean) {}

  /** A new session; returns the Set-Cookie header value. */
  issue(): string {
    const token = randomBytes(32).toString('base64url');
    this.tokens.push(hash(token));
    return `${UI_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/${this.secure ? '; Secure' : ''}`;
  }

  /** Ends every session (the vault locked); returns a Set-Cookie header that clears the cookie. */
  revokeAll(): string {
    this.tokens.length = 0;
    return `${UI_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${this.secure ? '; Secure' : ''}`;
  }

  /** Ends every session but the one `req` carries (the master password changed there). */
  revokeOthers(req: IncomingMessage): void {
    const token = readCookie(req.headers.cookie, UI_COOKIE);
    const mine = token ? hash(token) : null;
    const kept = this.tokens.filter((t) => mine !== null && timingSafeEqual(t, mine));
    this.tokens.splice(0, this.tokens.length, ...kept);
  }

  get count(): number {
    return this.tokens.length;
  }

  has(req: IncomingMessage): boolean {
    const token = readCookie(req.headers.cookie, UI_COOKIE);
    if (!token) return false;
    const h = hash(token);
    return this.tokens.some((t) => timingSafeEqual(t, h));
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Whether the server listens on every interface (then the bind address names no host). */
function isWildcard(bindHost: string): boolean {
  return bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '';
}

/**
 * The hosts (host:port) a browser may address this server by: loopback, the address it is
 * bound to (unless that is a wildcard) and the names given with `--allow-host`. Always a list,
 * also on a wildcard bind: a DNS-rebinding page's Host is its own name, never one of these.
 */
export function allowedHosts(bindHost: string, port: number, names: readonly string[] = []): Set<string> {
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  const hosts = ['localhost', '127.0.0.1', '[::1]', ...(isWildcard(bindHost) ? [] : [bracket(bindHost)]), ...names.map(bracket)];
  return new Set(hosts.map((h) => `${h.toLowerCase()}:${port}`));
}

export function hostAllowed(req: IncomingMessage, hosts: Set<string>): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && hosts.has(host.toLowerCase());
}

/** Why a UI call is refused, or null when it passes the CSRF guard. */
export function csrfProblem(req: IncomingMessage, scheme: 'http' | 'https'): string | null {
  if (req.method !== 'POST') return 'UI calls are POST requests.';
  if (req.headers[UI_HEADER] !== '1') return `The ${UI_HEADER} header is missing.`;
  const origin = req.headers.origin;
  if (!origin || origin !== `${scheme}://${req.headers.host}`) return 'The request does not come from this page.';
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return 'UI calls send JSON.';
  return null;
}
