/**
 * Files: envelope-encrypt, decrypt, sign and verify files. In the desktop app files of any
 * size are chosen only in the OS dialogs, which hand back a single-use token and the file's
 * name (never its path); progress arrives as events while the job runs. In web mode the file's
 * content is uploaded (up to the server's bound) and the result comes back as a download
 * (uploads.ts); the upload's and the job's progress are shown, and the job can be cancelled.
 */
import type { ChosenFile } from '../../../shared/ui/contract.js';
import { UiError, type Client } from './api.js';
import { Task } from './task.svelte.js';
import { CANCELLED, mib, runFileJob, saveDownload, type JobProgress } from './uploads.js';

export type FileJob = 'encrypt' | 'decrypt' | 'sign' | 'verify';

const OPS = { encrypt: 'fileEncrypt', decrypt: 'fileDecrypt', sign: 'fileSign', verify: 'fileVerify' } as const;

/** A file the user picked: the token the operation takes, and the name shown. */
export interface Picked {
  token: string;
  name: string;
}

function picked(c: ChosenFile): Picked | null {
  return c.token && c.name !== null ? { token: c.token, name: c.name } : null;
}

export class FilesManager {
  job = $state<FileJob>('encrypt');
  keyId = $state('');
  inFile = $state<Picked | null>(null);
  outFile = $state<Picked | null>(null);
  signatureFile = $state<Picked | null>(null);
  progress = $state<{ done: number; total: number } | null>(null);
  result = $state<string | null>(null);
  readonly task = new Task();
  /** Web mode: the files chosen in the page, the server's bound, the running job's phase. */
  upload = $state<File | null>(null);
  signatureUpload = $state<File | null>(null);
  uploadLimit = $state<number | null>(null);
  phase = $state<JobProgress['phase'] | null>(null);
  private cancelJob: AbortController | null = null;

  constructor(private readonly client: Client) {
    client.onEvent((e) => {
      if (e.type === 'progress' && this.task.busy && e.op === OPS[this.job]) this.progress = { done: e.done, total: e.total };
    });
  }

  get percent(): number {
    const p = this.progress;
    return p && p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
  }

  /** Web mode: the server's upload bound, from the signed-in session's status. */
  async loadLimit(): Promise<void> {
    const status = await this.client.call('session.status', {}).catch(() => null);
    this.uploadLimit = status?.upload_limit_bytes ?? null;
  }

  /** The bound in words, for the form and the refusal alike. */
  get limitText(): string {
    return this.uploadLimit === null ? '' : mib(this.uploadLimit);
  }

  /** Web mode: uploads the chosen file, runs the job on the server, downloads the result. */
  async runUpload(): Promise<void> {
    this.result = null;
    this.progress = null;
    const file = this.upload;
    if (!file) return;
    const job = this.job;
    const abort = new AbortController();
    this.cancelJob = abort;
    await this.task.run(async () => {
      if (this.uploadLimit !== null && file.size > this.uploadLimit) {
        throw new UiError(
          'UI.0413',
          `The file is ${mib(file.size)}; web mode takes files up to ${this.limitText}. Use the desktop app or the command line (keyhold file …) for larger files.`,
        );
      }
      const fields: Record<string, unknown> = {};
      if (job === 'encrypt' || job === 'sign') fields.key_id = this.keyId;
      if (job === 'verify') {
        if (!this.signatureUpload) throw new UiError('CLI.0002', 'Choose the signature record (.sig.json) too.');
        fields.signature_record = await this.signatureUpload.text();
      }
      try {
        const out = await runFileJob(job, file, fields, {
          signal: abort.signal,
          onProgress: (p) => {
            this.phase = p.phase;
            this.progress = { done: p.done, total: p.total };
          },
        });
        const r = out.result;
        const name = job === 'encrypt' ? `${file.name}.khenc` : job === 'decrypt' ? file.name.replace(/\.khenc$/, '') || 'decrypted' : `${file.name}.sig.json`;
        if (out.download) saveDownload(out.download.id, name);
        this.result =
          job === 'encrypt'
            ? `Encrypted ${String(r.bytes_in)} bytes; downloading ${name} (${String(r.bytes_out)} bytes).`
            : job === 'decrypt'
              ? `Decrypted ${String(r.bytes_out)} bytes; every frame verified; downloading ${name}.`
              : job === 'sign'
                ? `Signed with ${String(r.signing_algorithm)}; downloading the signature record ${name}.`
                : r.signature_valid === true
                  ? 'The signature is valid for this file.'
                  : 'The signature does NOT match this file.';
      } catch (e) {
        if (e instanceof UiError && e.code === CANCELLED) {
          this.result = 'Cancelled; nothing was kept on the server.';
          return;
        }
        throw e;
      } finally {
        this.cancelJob = null;
        this.phase = null;
      }
    });
  }

  /** Stops the running upload or job; the server removes what it staged. */
  cancel(): void {
    this.cancelJob?.abort();
  }

  async pickIn(): Promise<void> {
    const c = picked(await this.client.call('dialog.open-file', { title: this.job === 'decrypt' ? 'Choose the encrypted file' : 'Choose a file' }));
    if (c) this.inFile = c;
  }

  async pickOut(): Promise<void> {
    const name = this.inFile?.name ?? '';
    const suggested = this.job === 'encrypt' ? `${name}.khenc` : this.job === 'decrypt' ? name.replace(/\.khenc$/, '') : `${name}.sig.json`;
    const c = picked(
      await this.client.call('dialog.save-file', { title: this.job === 'sign' ? 'Save the signature as' : 'Save the result as', default_name: suggested }),
    );
    if (c) this.outFile = c;
  }

  async pickSignature(): Promise<void> {
    const c = picked(await this.client.call('dialog.open-file', { title: 'Choose the signature record' }));
    if (c) this.signatureFile = c;
  }

  async run(): Promise<void> {
    this.result = null;
    this.progress = null;
    const input = this.inFile;
    const output = this.outFile;
    const signature = this.signatureFile;
    if (!input) return;
    // Each token works once: whatever happens, the files are chosen again for the next run.
    this.inFile = null;
    this.outFile = null;
    this.signatureFile = null;
    await this.task.run(async () => {
      switch (this.job) {
        case 'encrypt': {
          const r = await this.client.call('fileEncrypt', { key_id: this.keyId, in: input.token, out: output?.token ?? '' });
          this.result = `Encrypted ${r.bytes_in} bytes into ${output?.name} (${r.bytes_out} bytes).`;
          break;
        }
        case 'decrypt': {
          const r = await this.client.call('fileDecrypt', { in: input.token, out: output?.token ?? '' });
          this.result = `Decrypted ${r.bytes_out} bytes into ${output?.name}; every frame verified.`;
          break;
        }
        case 'sign': {
          const r = await this.client.call('fileSign', { key_id: this.keyId, in: input.token, out: output?.token ?? '' });
          this.result = `Signed with ${r.signing_algorithm}; signature record in ${output?.name}.`;
          break;
        }
        case 'verify': {
          const r = await this.client.call('fileVerify', { in: input.token, signature: signature?.token ?? '' });
          this.result = r.signature_valid ? 'The signature is valid for this file.' : 'The signature does NOT match this file.';
          break;
        }
      }
    });
  }

  onLock(): void {
    this.keyId = '';
    this.inFile = null;
    this.outFile = null;
    this.signatureFile = null;
    this.progress = null;
    this.result = null;
    this.task.error = null;
  }
}
