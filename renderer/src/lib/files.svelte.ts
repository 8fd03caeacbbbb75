/**
 * Files (desktop app): envelope-encrypt, decrypt, sign and verify files of any size. Files are
 * chosen only in the OS dialogs, which hand back a single-use token and the file's name (never
 * its path); progress arrives as events while the job runs.
 */
import type { ChosenFile } from '../../../shared/ui/contract.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

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
    const c = picked(await this.client.call('dialog.open-file', { title: this.job === 'decrypt' ? 'Choose the encrypted file' : 'Choose a file' }));
    if (c) this.inFile = c;
  }

  async pickOut(): Promise<void> {
    const name = this.inFile?.name ?? '';
    const suggested = this.job === 'encrypt' ? `${name}.khenc` : this.job === 'decrypt' ? name.replace(/\.khenc$/, '') : `${name}.sig.json`;
    const c = picked(await this.client.call('dialog.save-file', { title: this.job === 'sign' ? 'Save the signature as' : 'Save the result as', default_name: suggested }));
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
