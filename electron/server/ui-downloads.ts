/**
 * The results of web mode's file jobs, waiting to be downloaded (docs/server.md, "Files in web
 * mode"): each is a staged file under a 192-bit random id, served once (then deleted) to the
 * browser session whose job made it, deleted unfetched after 10 minutes, and all of them when
 * the vault locks. A GET carries no CSRF header: another site's request is refused by its
 * Sec-Fetch-Site, and the SameSite=Strict cookie, the session binding and the single-use id
 * stand in for the header.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { SECURITY_HEADERS } from '../../shared/ui/security-headers.js';
import { UiErrors } from './errors.js';

/** A download not fetched within this time is removed. */
const DOWNLOAD_TTL_MS = 10 * 60_000;

interface Download {
  path: string;
  bytes: number;
  owner: Buffer;
  timer: ReturnType<typeof setTimeout>;
}

export class Downloads {
  private readonly waiting = new Map<string, Download>();

  /** Registers the staged file `path` as one download for the session `owner`. */
  async offer(path: string, owner: Buffer): Promise<{ id: string; bytes: number }> {
    const id = randomBytes(24).toString('base64url');
    const { size: bytes } = await stat(path);
    const timer = setTimeout(() => void this.forget(id), DOWNLOAD_TTL_MS);
    timer.unref?.();
    this.waiting.set(id, { path, bytes, owner, timer });
    return { id, bytes };
  }

  /** Sends download `id` to the session `owner` (null: none), once. */
  async serve(req: IncomingMessage, res: ServerResponse, id: string, owner: Buffer | null): Promise<void> {
    if (req.method !== 'GET') throw new KeyholdError(UiErrors.Refused, 'Refused: downloads are GET requests.', 403);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      throw new KeyholdError(UiErrors.Refused, 'Refused: the request does not come from this page.', 403);
    if (!owner) throw new KeyholdError(UiErrors.NoSession, 'Your session has ended: unlock the vault again.', 401);
    const d = this.waiting.get(id);
    if (!d || !timingSafeEqual(d.owner, owner))
      throw new KeyholdError(
        LocalErrors.BadArgument,
        'This download is gone (each is served once, for 10 minutes, until the vault locks): run the job again.',
        404,
      );
    this.waiting.delete(id);
    clearTimeout(d.timer);
    try {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(d.bytes),
        'Content-Disposition': 'attachment',
        'Cache-Control': 'no-store',
      });
      await pipeline(createReadStream(d.path), res);
    } finally {
      await rm(d.path, { force: true });
    }
  }

  /** Deletes every waiting download (the vault locked, the server stops). */
  async clear(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((id) => this.forget(id)));
  }

  private async forget(id: string): Promise<void> {
    const d = this.waiting.get(id);
    if (!d) return;
    this.waiting.delete(id);
    clearTimeout(d.timer);
    await rm(d.path, { force: true });
  }
}
