/**
 * The HSM a session uses: material of Keyhold's own store goes to the software HSM, and a
 * handle from a PKCS#11 key store goes back to the token that made it. Callers hold handles
 * and never need to know which backend is behind one. Token references are turned into
 * handles by the key store (key-stores.ts), which checks the store first, not here.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { WrappingAlgorithm } from '../../../shared/constants.js';
import type { SealAad, Sealed } from '../crypto/aead.js';
import type { HashName } from '../crypto/rsa.js';
import type { SignOptions } from '../crypto/sign.js';
import type { HsmBackend, HsmKeyKind, KeyHandle, WrappedKey } from './backend.js';
import { isTokenRef } from './pkcs11/ref.js';
import { tokenOf } from './pkcs11/token.js';

export class HsmRouter implements HsmBackend {
  constructor(private readonly software: HsmBackend) {}

  private of(handle: KeyHandle): HsmBackend {
    return tokenOf(handle) ?? this.software;
  }

  generate(kind: HsmKeyKind): Promise<WrappedKey> {
    return this.software.generate(kind);
  }

  wrap(kind: HsmKeyKind, material: Buffer): WrappedKey {
    return this.software.wrap(kind, material);
  }

  unwrap(wrapped: WrappedKey): KeyHandle {
    if (isTokenRef(wrapped)) throw new KeyholdError(LocalErrors.Internal, 'A token key was looked up without its key store.', 500);
    return this.software.unwrap(wrapped);
  }

  seal(handle: KeyHandle, plaintext: Buffer, aad: SealAad): Sealed {
    return this.of(handle).seal(handle, plaintext, aad);
  }

  open(handle: KeyHandle, sealed: Sealed, aad: Buffer): Buffer | null {
    return this.of(handle).open(handle, sealed, aad);
  }

  mac(handle: KeyHandle, data: Buffer): Buffer {
    return this.of(handle).mac(handle, data);
  }

  sign(handle: KeyHandle, data: Buffer, opts: SignOptions): Buffer {
    return this.of(handle).sign(handle, data, opts);
  }

  verify(handle: KeyHandle, data: Buffer, signature: Buffer, opts: SignOptions): boolean {
    return this.of(handle).verify(handle, data, signature, opts);
  }

  rsaEncrypt(handle: KeyHandle, hash: HashName, plaintext: Buffer): Buffer {
    return this.of(handle).rsaEncrypt(handle, hash, plaintext);
  }

  rsaDecrypt(handle: KeyHandle, hash: HashName, ciphertext: Buffer): Buffer | null {
    return this.of(handle).rsaDecrypt(handle, hash, ciphertext);
  }

  sm2Encrypt(handle: KeyHandle, plaintext: Buffer): Buffer {
    return this.of(handle).sm2Encrypt(handle, plaintext);
  }

  sm2Decrypt(handle: KeyHandle, ciphertext: Buffer): Buffer | null {
    return this.of(handle).sm2Decrypt(handle, ciphertext);
  }

  importWrapped(wrappingKey: KeyHandle, algorithm: WrappingAlgorithm, encrypted: Buffer, kind: HsmKeyKind): { wrapped: WrappedKey; fingerprint: string } {
    return this.of(wrappingKey).importWrapped(wrappingKey, algorithm, encrypted, kind);
  }

  importWrappedPrivateKey(
    wrappingKey: KeyHandle,
    algorithm: WrappingAlgorithm,
    encryptedTempKey: Buffer,
    encryptedPrivateKey: Buffer,
    kind: HsmKeyKind,
  ): { wrapped: WrappedKey; fingerprint: string } {
    return this.of(wrappingKey).importWrappedPrivateKey(wrappingKey, algorithm, encryptedTempKey, encryptedPrivateKey, kind);
  }

  publicKey(handle: KeyHandle): string {
    return this.of(handle).publicKey(handle);
  }
}
