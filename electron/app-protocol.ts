/**
 * app://keyhold/… serves the built renderer from one folder, with the shared security headers
 * (CSP included). Paths are resolved inside that folder; anything else is a 404.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { SECURITY_HEADERS } from '../shared/ui/security-headers.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The file a request path names inside `root`, or null when it would leave it. */
export function resolveInside(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = normalize(join(root, rel));
  return full.startsWith(normalize(root) + sep) ? full : null;
}

export function contentType(file: string): string {
  return TYPES[extname(file)] ?? 'application/octet-stream';
}

/** A protocol.handle handler: (Request) → Response. */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = resolveInside(root, new URL(request.url).pathname);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  };
}
