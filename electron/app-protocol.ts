/**
 * app://keyhold/… serves the built renderer from one folder, with the shared security headers
 * (CSP included). Paths are resolved inside that folder; anything else is a 404.
 */
import { readFile } from 'node:fs/promises';
import { SECURITY_HEADERS } from '../shared/ui/security-headers.js';
import { contentType, resolveInside } from './ui/static-files.js';

/** A protocol.handle handler: (Request) → Response. */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = resolveInside(root, new URL(request.url).pathname);
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) return new Response('Not found', { status: 404 });
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } });
  };
}
