/**
 * What a key does beside encrypt-data: data keys (create-datakey; decrypt-datakey of one made
 * earlier), MACs with an HMAC key (generate-mac, verify-mac) and random bytes (gen-random). Like
 * the small-data panel, a result on screen always belongs to the inputs on screen: each new
 * attempt clears the previous result and error. A data key's plaintext is shown until the user
 * hides it or the vault locks.
 */
import type { MacAlgorithm } from '../../../shared/constants.js';
import type { Client } from './api.js';
import { textToBase64 } from './bytes.js';
import { Task } from './task.svelte.js';

export interface DataKey {
  plainHex: string;
  cipherHex: string;
  bits: number;
}

/** The cloud's ciphertext of a data key carries the key's plaintext length (bytes) beside it. */
const dataKeyBytes = (bits: number) => String(bits / 8);

export class KeyDataManager {
  dataKey = $state<DataKey | null>(null);
  decryptedDataKey = $state<{ hex: string; digest: string } | null>(null);
  mac = $state('');
  macValid = $state<boolean | null>(null);
  random = $state('');
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async createDataKey(keyId: string, bits: 256 | 512): Promise<void> {
    this.onLock();
    await this.task.run(async () => {
      const res = await this.client.call('createDatakey', { key_id: keyId, datakey_length: String(bits) });
      this.dataKey = { plainHex: res.plain_text, cipherHex: res.cipher_text, bits };
    });
  }

  async decryptDataKey(keyId: string, cipherHex: string, bits: 256 | 512): Promise<void> {
    this.decryptedDataKey = null;
    await this.task.run(async () => {
      const res = await this.client.call('decryptDatakey', { key_id: keyId, cipher_text: cipherHex.trim(), datakey_cipher_length: dataKeyBytes(bits) });
      this.decryptedDataKey = { hex: res.data_key, digest: res.datakey_dgst };
    });
  }

  async generateMac(keyId: string, algorithm: MacAlgorithm, message: string): Promise<void> {
    this.mac = '';
    this.macValid = null;
    await this.task.run(async () => {
      this.mac = (await this.client.call('generateMac', { key_id: keyId, mac_algorithm: algorithm, message: textToBase64(message) })).mac;
    });
  }

  async verifyMac(keyId: string, algorithm: MacAlgorithm, message: string, mac: string): Promise<void> {
    this.macValid = null;
    await this.task.run(async () => {
      this.macValid = (await this.client.call('verifyMac', { key_id: keyId, mac_algorithm: algorithm, message: textToBase64(message), mac: mac.trim() })).mac_valid;
    });
  }

  async generateRandom(bits: number): Promise<void> {
    this.random = '';
    await this.task.run(async () => {
      this.random = (await this.client.call('genRandom', { random_data_length: String(bits) })).random_data;
    });
  }

  /** Key material and results leave the screen when the vault locks or another key is chosen. */
  onLock(): void {
    this.dataKey = null;
    this.decryptedDataKey = null;
    this.mac = '';
    this.macValid = null;
    this.random = '';
    this.task.error = null;
  }

  onLeave(): void {
    this.onLock();
  }
}
