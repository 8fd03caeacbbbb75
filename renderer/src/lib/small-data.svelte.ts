/** Encrypt and decrypt up to 4 KB of text with a key (encrypt-data / decrypt-data). */
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export class SmallDataManager {
  keyId = $state('');
  plainText = $state('');
  cipherText = $state('');
  /** What the last decryption gave back, and with which key (the ciphertext names it). */
  decrypted = $state<{ text: string; keyId: string } | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async encrypt(): Promise<void> {
    await this.task.run(async () => {
      const res = await this.client.call('encryptData', { key_id: this.keyId, plain_text: this.plainText });
      this.cipherText = res.cipher_text;
      this.decrypted = null;
    });
  }

  async decrypt(): Promise<void> {
    await this.task.run(async () => {
      const res = await this.client.call('decryptData', { cipher_text: this.cipherText.trim() });
      this.decrypted = { text: res.plain_text, keyId: res.key_id };
    });
  }

  /** Plaintext leaves the screen when the vault locks or the user moves on. */
  clear(): void {
    this.plainText = '';
    this.cipherText = '';
    this.decrypted = null;
  }
}
