/**
 * The HSM boundary. Key material enters as a wrapped blob and is used through opaque handles;
 * no method returns a CMK's plaintext material. The software backend (software.ts) is the
 * default; a PKCS#11 backend (SoftHSM2, a real HSM) can implement the same interface.
 */
import type { WrappingAlgorithm } from '../../../shared/constants.js';
import type { SealAad, Sealed } from '../crypto/aead.js';
import type { HashName } from '../crypto/rsa.js';
import type { SignOptions } from '../crypto/sign.js';

/** Kinds of material the HSM can hold. KMS key specs map onto these in the key-spec table. */
export type HsmKeyKind =
  | 'aes-256'
  | 'hmac-sha256'
  | 'hmac-sha384'
  | 'hmac-sha512'
  | 'rsa-2048'
  | 'rsa-3072'
  | 'rsa-4096'
  | 'ec-p256'
  | 'ec-p384'
  | 'ec-secp256k1'
  | 'sm4'
  | 'hmac-sm3'
  | 'sm2'
  | 'ed25519';

/** Material sealed under the HSM's wrapping key: safe to store, useless without the HSM. */
export type WrappedKey = string & { readonly __wrapped: unique symbol };

/** An opaque reference to loaded material. It has no toString/toJSON that reveals anything. */
export interface KeyHandle {
  readonly kind: HsmKeyKind;
}

export interface HsmBackend {
  /** Generates fresh material of `kind` and returns it wrapped. */
  generate(kind: HsmKeyKind): Promise<WrappedKey>;
  /** Wraps caller-supplied material (bring your own key): raw bytes, or PKCS#8 DER for key pairs. */
  wrap(kind: HsmKeyKind, material: Buffer): WrappedKey;
  /** Unwraps a blob into a handle; a blob from another vault or altered is a typed error. */
  unwrap(wrapped: WrappedKey): KeyHandle;
  /**
   * AES-256-GCM under an AES handle. The backend draws the 96-bit IV itself, fresh for every
   * seal, and returns it with the ciphertext: no caller picks a nonce, so none can repeat one.
   * `aad` may be made from that IV (a format whose AAD covers its own header).
   */
  seal(handle: KeyHandle, plaintext: Buffer, aad: SealAad): Sealed;
  /** Opens what `seal` returned; null when it does not authenticate. */
  open(handle: KeyHandle, sealed: Sealed, aad: Buffer): Buffer | null;
  mac(handle: KeyHandle, data: Buffer): Buffer;
  sign(handle: KeyHandle, data: Buffer, opts: SignOptions): Buffer;
  /** A malformed or wrong signature is `false`. */
  verify(handle: KeyHandle, data: Buffer, signature: Buffer, opts: SignOptions): boolean;
  /** RSA OAEP with the given hash (encrypt-data with an RSA key). */
  rsaEncrypt(handle: KeyHandle, hash: HashName, plaintext: Buffer): Buffer;
  /** Returns null when the ciphertext does not decrypt under this key. */
  rsaDecrypt(handle: KeyHandle, hash: HashName, ciphertext: Buffer): Buffer | null;
  /** SM2 public-key encryption (encrypt-data with SM2_ENCRYPT): DER C1C3C2, as OpenSSL writes. */
  sm2Encrypt(handle: KeyHandle, plaintext: Buffer): Buffer;
  /** Returns null when the ciphertext does not decrypt under this key. */
  sm2Decrypt(handle: KeyHandle, ciphertext: Buffer): Buffer | null;
  /**
   * Bring your own key: decrypts material wrapped under `wrappingKey` (an RSA key pair of the
   * HSM) and wraps it as `kind`, so the plaintext never leaves the HSM. Also returns a keyed
   * fingerprint of the material, so a later re-import can be checked to be the same material.
   * A block that does not decrypt is KMS.0311; material of the wrong length is KMS.2604.
   */
  importWrapped(wrappingKey: KeyHandle, algorithm: WrappingAlgorithm, encrypted: Buffer, kind: HsmKeyKind): { wrapped: WrappedKey; fingerprint: string };
  /**
   * Bring your own key pair: `encryptedTempKey` is a temporary AES-256 key wrapped like symmetric
   * material; `encryptedPrivateKey` is the private key (PKCS#8 DER) wrapped under it with AES key
   * wrap with padding (RFC 5649). Both are opened inside the HSM; the key must be of `kind`
   * (curve, modulus) and consistent (it signs what its public half verifies). A temporary key
   * that does not decrypt, or a private key that does not unwrap, is KMS.0311; a private key
   * that is not PKCS#8, of another kind or inconsistent is KMS.2604. The fingerprint is keyed
   * and taken over the key's canonical PKCS#8 form, so the same key in another encoding matches.
   */
  importWrappedPrivateKey(
    wrappingKey: KeyHandle,
    algorithm: WrappingAlgorithm,
    encryptedTempKey: Buffer,
    encryptedPrivateKey: Buffer,
    kind: HsmKeyKind,
  ): { wrapped: WrappedKey; fingerprint: string };
  /** SubjectPublicKeyInfo PEM of a key pair's public half. */
  publicKey(handle: KeyHandle): string;
}
