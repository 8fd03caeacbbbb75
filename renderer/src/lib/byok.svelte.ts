/**
 * Bring your own key material, as the cloud console's wizard does it (docs/kms.md, "Bring your
 * own key material"): a key made with origin external waits in "Pending import"; the user picks
 * a wrapping algorithm, downloads the wrapping public key and the import token (both valid 24 h),
 * wraps material with openssl, and uploads the wrapped block. Keyhold never sees the material in
 * clear outside its HSM.
 */
import type { WrappingAlgorithm } from '../../../shared/constants.js';
import type { Client } from './api.js';
import { bytesToBase64 } from './bytes.js';
import { Task } from './task.svelte.js';

export interface ImportParameters {
  keyId: string;
  algorithm: WrappingAlgorithm;
  publicKeyB64: string;
  importToken: string;
  /** When the wrapping key and token stop working. */
  expires: Date;
}

export class ByokManager {
  params = $state<ImportParameters | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async getParameters(keyId: string, algorithm: WrappingAlgorithm): Promise<void> {
    this.params = null;
    await this.task.run(async () => {
      const res = await this.client.call('getParametersForImport', { key_id: keyId, wrapping_algorithm: algorithm });
      this.params = { keyId, algorithm, publicKeyB64: res.public_key, importToken: res.import_token, expires: new Date(res.expiration_time * 1000) };
    });
  }

  /**
   * Imports the wrapped block (the bytes openssl wrote); for a key pair that block is the wrapped
   * temporary key and `wrappedPrivateKey` the private key wrapped under it (`encrypted_privatekey`).
   * `materialExpires` ends the material's use.
   */
  async importMaterial(wrapped: Uint8Array, materialExpires?: Date, wrappedPrivateKey?: Uint8Array): Promise<boolean> {
    const p = this.params;
    if (!p) return false;
    const done = await this.task.run(async () => {
      await this.client.call('importKeyMaterial', {
        key_id: p.keyId,
        import_token: p.importToken,
        encrypted_key_material: bytesToBase64(wrapped),
        ...(wrappedPrivateKey ? { encrypted_privatekey: bytesToBase64(wrappedPrivateKey) } : {}),
        ...(materialExpires ? { expiration_time: Math.floor(materialExpires.getTime() / 1000) } : {}),
      });
      this.params = null;
      return true;
    });
    return done === true;
  }

  async deleteMaterial(keyId: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('deleteImportedKeyMaterial', { key_id: keyId });
      return true;
    });
    return done === true;
  }

  onLock(): void {
    this.params = null;
    this.task.error = null;
  }
}
