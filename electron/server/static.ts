/**
 * The built renderer for web mode, with the same security headers (CSP included) as the
 * desktop app's app:// protocol. Only GET/HEAD of the UI's own files.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../../shared/ui/security-headers.js';
import { contentType, resolveInside } from '../ui/static-files.js';

/** The page and its assets; every other path belongs to the API. */
export function isUiAsset(method: string | undefined, pathname: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (pathname === '/' || pathname === '/index.html' || pathname.startsWith('/assets/'));
}

/** Answers GET/HEAD for the UI's own files; false when the request is not for one of them. */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (!isUiAsset(req.method, url.pathname)) return false;
  const file = resolveInside(root, url.pathname);
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!file || !body) {
    res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return true;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType(file),
    // Vite names assets by content hash; the page itself must always be fresh.
    'Cache-Control': url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
