/**
 * Files (desktop app): envelope-encrypt, decrypt, sign and verify files of any size. Paths come
 * only from the OS file dialogs; progress arrives as events while the job runs.
 */
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export type FileJob = 'encrypt' | 'decrypt' | 'sign' | 'verify';

const OPS = { encrypt: 'fileEncrypt', decrypt: 'fileDecrypt', sign: 'fileSign', verify: 'fileVerify' } as const;

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export class FilesManager {
  job = $state<FileJob>('encrypt');
  keyId = $state('');
  inPath = $state('');
  outPath = $state('');
  signaturePath = $state('');
  progress = $state<{ done: number; total: number } | null>(null);
  result = $state<string | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {
    client.onEvent((e) => {
      if (e.type === 'progress' && this.task.busy && e.op === OPS[this.job]) this.progress = { done: e.done, total: e.total };
    });
  }

  get percent(): number {
    const p = this.progress;
    return p && p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
  }

  async pickIn(): Promise<void> {
    const { path } = await this.client.call('dialog.open-file', { title: this.job === 'decrypt' ? 'Choose the encrypted file' : 'Choose a file' });
    if (path) this.inPath = path;
  }

  async pickOut(): Promise<void> {
    const name = baseName(this.inPath);
    const suggested = this.job === 'encrypt' ? `${name}.khenc` : this.job === 'decrypt' ? name.replace(/\.khenc$/, '') : `${name}.sig.json`;
    const { path } = await this.client.call('dialog.save-file', { title: this.job === 'sign' ? 'Save the signature as' : 'Save the result as', default_name: suggested });
    if (path) this.outPath = path;
  }

  async pickSignature(): Promise<void> {
    const { path } = await this.client.call('dialog.open-file', { title: 'Choose the signature record' });
    if (path) this.signaturePath = path;
  }

  async run(): Promise<void> {
    this.result = null;
    this.progress = null;
    await this.task.run(async () => {
      switch (this.job) {
        case 'encrypt': {
          const r = await this.client.call('fileEncrypt', { key_id: this.keyId, in: this.inPath, out: this.outPath });
          this.result = `Encrypted ${r.bytes_in} bytes into ${baseName(this.outPath)} (${r.bytes_out} bytes).`;
          break;
        }
        case 'decrypt': {
          const r = await this.client.call('fileDecrypt', { in: this.inPath, out: this.outPath });
          this.result = `Decrypted ${r.bytes_out} bytes into ${baseName(this.outPath)}; every frame verified.`;
          break;
        }
        case 'sign': {
          const r = await this.client.call('fileSign', { key_id: this.keyId, in: this.inPath, out: this.outPath });
          this.result = `Signed with ${r.signing_algorithm}; signature record in ${baseName(this.outPath)}.`;
          break;
        }
        case 'verify': {
          const r = await this.client.call('fileVerify', { in: this.inPath, signature: this.signaturePath });
          this.result = r.signature_valid ? 'The signature is valid for this file.' : 'The signature does NOT match this file.';
          break;
        }
      }
    });
  }
}
