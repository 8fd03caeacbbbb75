/**
 * What a key does beside encrypt-data: data keys (create-datakey; decrypt-datakey of one made
 * earlier), MACs with an HMAC key (generate-mac, verify-mac) and random bytes (gen-random). Like
 * the small-data panel, a result on screen always belongs to the inputs on screen: each new
 * attempt clears the previous result and error. A data key's plaintext is shown until the user
 * hides it or the vault locks.
 */
import type { MacAlgorithm } from '../../../shared/constants.js';
import { UiError, type Client } from './api.js';
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
  /** The ciphertext of a data key the user brought (encrypt-datakey). */
  encryptedDataKey = $state('');
  mac = $state('');
  macValid = $state<boolean | null>(null);
  random = $state('');
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  /** `withPlaintext` false: only the encrypted data key comes back (create-datakey-without-plaintext), for a consumer that decrypts it later. */
  async createDataKey(keyId: string, bits: 256 | 512, withPlaintext = true): Promise<void> {
    this.onLock();
    await this.task.run(async () => {
      if (withPlaintext) {
        const res = await this.client.call('createDatakey', { key_id: keyId, datakey_length: String(bits) });
        this.dataKey = { plainHex: res.plain_text, cipherHex: res.cipher_text, bits };
      } else {
        const res = await this.client.call('createDatakeyWithoutPlaintext', { key_id: keyId, datakey_length: String(bits) });
        this.dataKey = { plainHex: '', cipherHex: res.cipher_text, bits };
      }
    });
  }

  /** Encrypts a data key the user has (hex): the cloud's plain_text is the key followed by its SHA-256. */
  async encryptDataKey(keyId: string, dekHex: string): Promise<void> {
    this.encryptedDataKey = '';
    await this.task.run(async () => {
      const hex = dekHex.trim().toLowerCase();
      const dek = new Uint8Array((hex.match(/^(?:[0-9a-f]{2})+$/) ? (hex.match(/../g) ?? []) : []).map((b) => parseInt(b, 16)));
      if (dek.length === 0) throw new UiError('KMS.0205', 'The data key must be hex (two digits per byte).');
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', dek));
      const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      const res = await this.client.call('encryptDatakey', { key_id: keyId, plain_text: toHex(dek) + toHex(digest), datakey_plain_length: String(dek.length) });
      this.encryptedDataKey = res.cipher_text;
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
      this.macValid = (
        await this.client.call('verifyMac', { key_id: keyId, mac_algorithm: algorithm, message: textToBase64(message), mac: mac.trim() })
      ).mac_valid;
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
    this.encryptedDataKey = '';
    this.mac = '';
    this.macValid = null;
    this.random = '';
    this.task.error = null;
  }

  onLeave(): void {
    this.onLock();
  }
}
