/** Sign a message with an RSA or EC key and verify a signature (kms sign / verify, RAW messages). */
import type { KeySpec, SigningAlgorithm } from '../../../shared/constants.js';
import { KEY_SPEC_RULES } from '../../../shared/key-specs.js';
import type { Client } from './api.js';
import { textToBase64 } from './bytes.js';
import { Task } from './task.svelte.js';

/** The algorithms a key spec can sign with (the core's rule, shared/key-specs.ts). */
export function algorithmsFor(spec: string): readonly SigningAlgorithm[] {
  return KEY_SPEC_RULES[spec as KeySpec]?.signing ?? [];
}

/**
 * A verdict on screen always belongs to the inputs on screen: changing the message, the
 * algorithm or the signature forgets the last one (the screen binds to these setters and writes
 * nothing else; the verdict itself is read-only to it).
 */
export class SigningManager {
  #message = $state('');
  #algorithm = $state<SigningAlgorithm>('RSASSA_PSS_SHA_256');
  #signature = $state('');
  /** The last verification's answer, or null when none was asked since the inputs changed. */
  #valid = $state<boolean | null>(null);
  publicKey = $state('');
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  get message(): string {
    return this.#message;
  }

  set message(text: string) {
    if (text !== this.#message) this.#valid = null;
    this.#message = text;
  }

  get algorithm(): SigningAlgorithm {
    return this.#algorithm;
  }

  set algorithm(a: SigningAlgorithm) {
    if (a !== this.#algorithm) this.#valid = null;
    this.#algorithm = a;
  }

  get signature(): string {
    return this.#signature;
  }

  set signature(text: string) {
    if (text !== this.#signature) this.#valid = null;
    this.#signature = text;
  }

  get valid(): boolean | null {
    return this.#valid;
  }

  /** Called when another key is chosen: nothing from the previous key stays on screen. */
  reset(spec: string): void {
    this.#algorithm = algorithmsFor(spec)[0] ?? 'RSASSA_PSS_SHA_256';
    this.#signature = '';
    this.#valid = null;
    this.publicKey = '';
  }

  async sign(keyId: string): Promise<void> {
    this.#valid = null;
    await this.task.run(async () => {
      const res = await this.client.call('sign', {
        key_id: keyId,
        message: textToBase64(this.message),
        signing_algorithm: this.algorithm,
        message_type: 'RAW',
      });
      this.#signature = res.signature;
    });
  }

  async verify(keyId: string): Promise<void> {
    this.#valid = null;
    await this.task.run(async () => {
      const res = await this.client.call('verify', {
        key_id: keyId,
        message: textToBase64(this.message),
        signing_algorithm: this.algorithm,
        message_type: 'RAW',
        signature: this.signature.trim(),
      });
      this.#valid = res.signature_valid === 'true';
    });
  }

  async loadPublicKey(keyId: string): Promise<void> {
    await this.task.run(async () => {
      this.publicKey = (await this.client.call('getPublickey', { key_id: keyId })).public_key;
    });
  }

  onLock(): void {
    this.#message = '';
    this.#signature = '';
    this.#valid = null;
    this.publicKey = '';
    this.task.error = null;
  }
}
