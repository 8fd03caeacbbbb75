/**
 * Web mode's file jobs (docs/server.md, "Files in web mode"): the file goes up as the request's
 * raw body with XMLHttpRequest (fetch cannot report upload progress), the job's fields as
 * percent-encoded JSON in a header, and the answer comes back as NDJSON lines read while they
 * arrive: the job's progress, then its outcome naming a single-use download. Aborting the
 * signal aborts the request, which stops the upload or the job on the server and removes what
 * it staged.
 */
import { UI_DOWNLOAD_PATH, UI_FILE_PATH, UI_HEADER, UI_INPUT_HEADER, type UiFileJob, type UiFileLine } from '../../../shared/ui/contract.js';
import { NETWORK_ERROR, UiError } from './api.js';

export interface JobProgress {
  phase: 'upload' | 'job';
  done: number;
  total: number;
}

export interface JobOutcome {
  result: Record<string, unknown>;
  download: { id: string; bytes: number } | null;
}

/** Code the page raises when the user cancels (the server's own is FILE.0301). */
export const CANCELLED = 'FILE.0301';

export function runFileJob(
  job: UiFileJob,
  file: Blob | null,
  fields: Record<string, unknown>,
  hooks: { onProgress?: (p: JobProgress) => void; signal?: AbortSignal } = {},
): Promise<JobOutcome> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let seen = 0;
    let outcome: UiFileLine | null = null;
    const read = () => {
      const text = xhr.responseText;
      let end = text.indexOf('\n', seen);
      while (end >= 0) {
        const line = JSON.parse(text.slice(seen, end)) as UiFileLine;
        seen = end + 1;
        if (line.type === 'progress') hooks.onProgress?.({ phase: 'job', done: line.done, total: line.total });
        else outcome = line;
        end = text.indexOf('\n', seen);
      }
    };
    xhr.open('POST', `${UI_FILE_PATH}${job}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader(UI_HEADER, '1');
    xhr.setRequestHeader(UI_INPUT_HEADER, encodeURIComponent(JSON.stringify(fields)));
    xhr.upload.onprogress = (e) => hooks.onProgress?.({ phase: 'upload', done: e.loaded, total: e.lengthComputable ? e.total : (file?.size ?? 0) });
    xhr.onprogress = () => {
      if (xhr.status === 200) read();
    };
    xhr.onerror = () => reject(new UiError(NETWORK_ERROR, 'Keyhold is not reachable.'));
    xhr.onabort = () => reject(new UiError(CANCELLED, 'Cancelled; nothing was kept on the server.'));
    xhr.onload = () => {
      if (xhr.status !== 200) {
        // Refused before the job ran: one JSON error body with the status.
        const body = safeJson(xhr.responseText) as { error_code?: string; error_msg?: string } | null;
        return reject(new UiError(body?.error_code ?? `HTTP.${xhr.status}`, body?.error_msg ?? xhr.statusText));
      }
      read();
      // The last line may come without its newline (a restore answers one JSON object).
      if (seen < xhr.responseText.length) outcome = safeJson(xhr.responseText.slice(seen)) as UiFileLine | null;
      const done = outcome as UiFileLine | null;
      if (done?.type === 'done') resolve({ result: done.result, download: done.download });
      else if (done?.type === 'error') reject(new UiError(done.error_code, done.error_msg));
      else reject(new UiError(NETWORK_ERROR, 'The answer broke off.'));
    };
    hooks.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file ?? null);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Starts the browser's download of a job's result, saved as `name` (the server sends no name). */
export function saveDownload(id: string, name: string, doc: Document = document): void {
  const a = doc.createElement('a');
  a.href = `${UI_DOWNLOAD_PATH}${encodeURIComponent(id)}`;
  a.download = name;
  a.click();
}

export function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}
