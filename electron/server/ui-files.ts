/**
 * Web mode's files (docs/server.md, "Files in web mode"): the browser sends a file's content and
 * takes the result back as a download; no path ever crosses HTTP. `POST /keyhold/ui/file/JOB`
 * carries the file as the raw request body and the job's other fields as percent-encoded JSON
 * in `x-keyhold-input`; everything that needs no body (the CSRF guard, the session, the fields,
 * the declared size against the bound, for a restore the current password) is decided before a
 * byte of the body is read. The body is streamed to a file in a private staging folder (0700,
 * beside the vault), the registry operation runs on paths this server made, and its output is
 * offered once at `GET /keyhold/ui/download/ID` to the session that made it. A decryption's
 * plaintext is thus never sent before every frame verified. Staged files are removed when the
 * job fails or is cancelled (the client closing the request aborts the job), when a download
 * was served or expired, and when the vault locks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { SECURITY_HEADERS } from '../../shared/ui/security-headers.js';
import { UI_DOWNLOAD_PATH, UI_FILE_JOBS, UI_FILE_PATH, UI_INPUT_HEADER, type UiFileJob, type UiFileLine } from '../../shared/ui/contract.js';
import { listOperations, type RegisteredOperation } from '../core/api/index.js';
import { isLiveProcess } from '../core/api/processes.js';
import { toUiError } from '../ui/bridge.js';
import type { Workspace } from '../ui/workspace.js';
import { Downloads } from './ui-downloads.js';
import { declaredSize, jobFields, JOBS, uploadCsrfProblem, type JobSpec } from './ui-file-jobs.js';
import { UiErrors } from './errors.js';
import { FileErrors } from '../../shared/operations/file.js';

/** The default bound on one upload: within `serve`'s 40 s request bound at ~7 MB/s. */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 256 * 1024 * 1024;
/** Job progress lines at most this often (and always the last). */
const PROGRESS_EVERY_MS = 100;

const byKey = new Map<string, RegisteredOperation>(listOperations().map((op) => [op.key, op]));

/** What the UI server lends this module. */
export interface UiFilesDeps {
  ws: Workspace;
  scheme: 'http' | 'https';
  limitBytes: number;
  /** The folder in which the private staging folder is made (the vault's own). */
  stagingParent: string;
  /** The hash identifying the request's browser session, or null when it has none. */
  sessionOf(req: IncomingMessage): Buffer | null;
  /** A master-password check under the login throttle (ui-server.ts). */
  checkPassword(req: IncomingMessage, password: string, attempt: 'backup' | 'restore'): Promise<void>;
  /** Ends every browser session; returns the Set-Cookie header that clears the cookie. */
  revokeAll(): string;
}

export function isUiFilePath(pathname: string): boolean {
  return pathname.startsWith(UI_FILE_PATH) || pathname.startsWith(UI_DOWNLOAD_PATH);
}

const STAGING_PREFIX = '.keyhold-web-files-';

/** Removes the staging folders (`.keyhold-web-files-PID-XXXXXX`) in `parent` whose process is gone. */
async function removeDeadStaging(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const pattern = new RegExp(`^${STAGING_PREFIX.replaceAll('.', '\\.')}(\\d+)-[A-Za-z0-9]{6}$`);
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !isLiveProcess(pid)) await rm(join(parent, name), { recursive: true, force: true });
  }
}

/** An error's words with the staged paths named for what they hold: no server path goes back. */
function withoutPaths(message: string, stem: string): string {
  return message
    .replaceAll(`${stem}.in`, 'the uploaded file')
    .replaceAll(`${stem}.out`, 'the result')
    .replaceAll(`${stem}.sig`, 'the signature record')
    .replaceAll(dirname(stem), 'the staging folder');
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(JSON.stringify(body));
}

export class UiFiles {
  private staging: Promise<string> | null = null;
  private readonly downloads = new Downloads();
  private readonly running = new Set<AbortController>();

  constructor(private readonly deps: UiFilesDeps) {
    // Locking ends every session, so nothing staged is wanted any more: running jobs stop and
    // finished results go.
    deps.ws.onEvent((e) => {
      if (e.type === 'locked') void this.dropAll();
    });
  }

  /**
   * The private staging folder (0700), made on first use beside the vault and named after this
   * process; folders of processes that are gone (killed outright) are removed first.
   */
  stagingDir(): Promise<string> {
    this.staging ??= removeDeadStaging(this.deps.stagingParent).then(() => mkdtemp(join(this.deps.stagingParent, `${STAGING_PREFIX}${process.pid}-`)));
    return this.staging;
  }

  /** Stops every job and removes every staged file and the folder (the server is stopping). */
  async close(): Promise<void> {
    await this.dropAll();
    if (this.staging) await rm(await this.staging, { recursive: true, force: true });
    this.staging = null;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname.startsWith(UI_DOWNLOAD_PATH)) return this.downloads.serve(req, res, url.pathname.slice(UI_DOWNLOAD_PATH.length), this.deps.sessionOf(req));
    const job = url.pathname.slice(UI_FILE_PATH.length) as UiFileJob;
    if (!UI_FILE_JOBS.includes(job)) throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown file job: ${job.slice(0, 40)}.`, 404);
    const problem = uploadCsrfProblem(req, this.deps.scheme);
    if (problem) throw new KeyholdError(UiErrors.Refused, `Refused: ${problem}`, 403);
    const owner = this.deps.sessionOf(req);
    if (!owner) throw new KeyholdError(UiErrors.NoSession, 'Your session has ended: unlock the vault again.', 401);
    const spec = JOBS[job];
    let size: number;
    let fields: Record<string, unknown>;
    try {
      size = declaredSize(job, req.headers['content-length'], this.deps.limitBytes);
      fields = jobFields(job, req.headers[UI_INPUT_HEADER]);
      if (spec.reauthenticated) {
        // A backup (the whole vault) and a restore (replacing it) take the current password,
        // checked under the login throttle before the upload.
        const current = fields.current_password;
        if (typeof current !== 'string' || !current)
          throw new KeyholdError(
            LocalErrors.PasswordRequired,
            `Enter the current master password to ${job === 'restore' ? 'replace the vault' : 'back the vault up'}.`,
            400,
          );
        await this.deps.checkPassword(req, current, job === 'restore' ? 'restore' : 'backup');
      }
    } catch (e) {
      // Answered at once, before any of the body is read; the connection is kept, so Node reads
      // and drops the rest of a signed-in browser's body (within serve's request time bound)
      // and the browser, still sending, sees this answer rather than a reset connection.
      const { code, message, status } = toUiError(e);
      return sendJson(res, status, { error_code: code, error_msg: message });
    }
    const abort = new AbortController();
    // The client going away (cancel, a closed tab) stops the upload and the job.
    res.on('close', () => abort.abort());
    this.running.add(abort);
    const stem = join(await this.stagingDir(), randomBytes(12).toString('hex'));
    const out = `${stem}.out`;
    let answer: UiFileLine | null = null;
    let download: { id: string; bytes: number } | null = null;
    try {
      if (spec.upload) await this.receive(req, `${stem}.in`, size, abort.signal);
      if (job === 'restore') {
        const result = await this.deps.ws.restore(`${stem}.in`, String(fields.backup_password ?? '')).catch((e: unknown) => {
          throw e instanceof KeyholdError ? new KeyholdError(e.code, withoutPaths(e.message, stem), e.status) : e;
        });
        answer = { type: 'done', result, download: null };
      } else {
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
        answer = await this.runJob(spec, fields, stem, res, abort.signal);
        if (answer.type === 'done' && spec.download) answer = { ...answer, download: (download = await this.downloads.offer(out, owner)) };
      }
    } finally {
      this.running.delete(abort);
      // Staged files go before the answer is sent, so a client that has it finds nothing left.
      await Promise.all([`${stem}.in`, `${stem}.sig`, ...(download ? [] : [out])].map((p) => rm(p, { force: true })));
    }
    if (job === 'restore') return sendJson(res, 200, answer, { 'Set-Cookie': this.deps.revokeAll() });
    if (answer.type === 'error') answer = { ...answer, error_msg: withoutPaths(answer.error_msg, stem) };
    res.end(`${JSON.stringify(answer)}\n`);
  }

  /** Runs the job's operation on the staged paths; progress lines while it runs, its outcome as the last. */
  private async runJob(spec: JobSpec, fields: Record<string, unknown>, stem: string, res: ServerResponse, signal: AbortSignal): Promise<UiFileLine> {
    let last = 0;
    const onProgress = (p: { done: number; total: number }) => {
      this.deps.ws.touch();
      const now = Date.now();
      if (p.done < p.total && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      res.write(`${JSON.stringify({ type: 'progress', done: p.done, total: p.total } satisfies UiFileLine)}\n`);
    };
    try {
      const { current_password: _checked, ...input }: Record<string, unknown> = fields;
      if (spec.op === 'fileVerify') {
        delete input.signature_record;
        if (typeof fields.signature_record !== 'string')
          throw new KeyholdError(LocalErrors.BadArgument, 'Missing parameter signature_record: the text of the signature record.', 400);
        await writeFile(`${stem}.sig`, fields.signature_record, { mode: 0o600, flag: 'wx' });
        input.signature = `${stem}.sig`;
      }
      if (spec.upload) input.in = `${stem}.in`;
      if (spec.download) input.out = `${stem}.out`;
      const result = (await this.deps.ws.run(byKey.get(spec.op as string) as RegisteredOperation, input, {
        signal,
        onProgress,
        serverNamedFiles: true,
      })) as Record<string, unknown>;
      // The answer names no server path: the output is offered as a download instead.
      const { out: _out, backup: _backup, ...shown } = result;
      return { type: 'done', result: shown, download: null };
    } catch (e) {
      const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
      return { type: 'error', error_code: err.code, error_msg: err.message };
    }
  }

  /** Streams the body into `path` (created 0600, never over a file); a short body is an error. */
  private async receive(req: IncomingMessage, path: string, size: number, signal: AbortSignal): Promise<void> {
    let got = 0;
    const counted = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        got += chunk.length;
        yield chunk;
      }
    };
    try {
      await pipeline(req, counted, createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal });
    } catch {
      throw new KeyholdError(FileErrors.Cancelled, 'The upload was cancelled or broke off; nothing was kept.', 499);
    }
    if (got !== size) throw new KeyholdError(FileErrors.Cancelled, `The upload ended after ${got} of ${size} bytes; nothing was kept.`, 400);
  }

  private async dropAll(): Promise<void> {
    for (const a of this.running) a.abort();
    await this.downloads.clear();
  }
}

/** The session hash the UI server keeps for a cookie token (ui-session.ts hashes the same way). */
export function sessionHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
