/** Encrypt and decrypt up to 4 KB of text with a key (encrypt-data / decrypt-data). */
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

/**
 * A result on screen always belongs to the inputs on screen: every new attempt, and every change
 * of the ciphertext or of the key, clears the previous plaintext and error first.
 */
export class SmallDataManager {
  #keyId = $state('');
  plainText = $state('');
  #cipherText = $state('');
  /** What the last decryption gave back, and with which key (the ciphertext names it). */
  decrypted = $state<{ text: string; keyId: string } | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  get keyId(): string {
    return this.#keyId;
  }

  set keyId(id: string) {
    if (id !== this.#keyId) this.forgetResult();
    this.#keyId = id;
  }

  get cipherText(): string {
    return this.#cipherText;
  }

  set cipherText(text: string) {
    if (text !== this.#cipherText) this.forgetResult();
    this.#cipherText = text;
  }

  /**
   * Keeps the chosen key only while it can still encrypt (a disabled or deleted key, or one of
   * another usage, is never left selected); else the first usable one, or none.
   */
  chooseFrom(usable: readonly { key_id: string }[]): void {
    if (!usable.some((k) => k.key_id === this.#keyId)) this.keyId = usable[0]?.key_id ?? '';
  }

  async encrypt(): Promise<void> {
    this.forgetResult();
    await this.task.run(async () => {
      const res = await this.client.call('encryptData', { key_id: this.#keyId, plain_text: this.plainText });
      this.#cipherText = res.cipher_text;
    });
  }

  async decrypt(): Promise<void> {
    this.forgetResult();
    await this.task.run(async () => {
      const res = await this.client.call('decryptData', { cipher_text: this.#cipherText.trim() });
      this.decrypted = { text: res.plain_text, keyId: res.key_id };
    });
  }

  private forgetResult(): void {
    this.decrypted = null;
    this.task.error = null;
  }

  /** Plaintext leaves the screen when the vault locks or the user moves on. */
  clear(): void {
    this.plainText = '';
    this.#cipherText = '';
    this.decrypted = null;
  }

  onLock(): void {
    this.clear();
    this.#keyId = '';
    this.task.error = null;
  }

  onLeave(): void {
    this.clear();
  }
}
