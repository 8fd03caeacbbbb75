/**
 * SM4-GCM (RFC 8998; GB/T 32907 block cipher in GCM), the authenticated mode Keyhold uses for SM4
 * keys: the same 12-byte IV and 16-byte tag as AES-256-GCM, so SM4 ciphertexts keep the KMS
 * ciphertext frame (docs/ciphertext-format.md). Node 20's OpenSSL has SM4 only in unauthenticated
 * modes (ECB/CBC/CTR/OFB/CFB), so this goes through `sm-crypto-v2`, checked against RFC 8998's
 * vector and the GB/T 32907 block vector in the tests.
 */
import { sm4 } from 'sm-crypto-v2';
import { GCM_IV_BYTES, GCM_TAG_BYTES, type SealAad, type Sealed } from './aead.js';
import { randomBytes } from './random.js';

/**
 * The seal at a given IV: the one place an SM4-GCM IV is chosen outside `sm4GcmSeal`, for the
 * standard's vectors (test/unit/crypto/sm-vectors.test.ts), which fix the IV.
 */
export function sm4GcmSealAt(key: Buffer, iv: Buffer, plaintext: Uint8Array, aad: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  const { output, tag } = sm4.encrypt(new Uint8Array(plaintext), new Uint8Array(key), {
    mode: 'gcm',
    iv: new Uint8Array(iv),
    associatedData: new Uint8Array(aad),
    padding: 'none',
    output: 'array',
    outputTag: true,
  });
  if (!tag) throw new Error('SM4-GCM gave no tag.');
  return { ciphertext: Buffer.from(output), tag: Buffer.from(tag) };
}

/** Seals under an SM4 key; the IV is drawn here, as crypto/aead.ts does for AES. */
export function sm4GcmSeal(key: Buffer, plaintext: Uint8Array, aad: SealAad): Sealed {
  const iv = randomBytes(GCM_IV_BYTES);
  return { iv, ...sm4GcmSealAt(key, iv, plaintext, typeof aad === 'function' ? aad(iv) : aad) };
}

/** Returns the plaintext, or null when the IV or tag has the wrong size or authentication fails. */
export function sm4GcmOpen(key: Buffer, sealed: Sealed, aad: Uint8Array): Buffer | null {
  const { iv, ciphertext, tag } = sealed;
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) return null;
  try {
    const plain = sm4.decrypt(new Uint8Array(ciphertext), new Uint8Array(key), {
      mode: 'gcm',
      iv: new Uint8Array(iv),
      associatedData: new Uint8Array(aad),
      tag: new Uint8Array(tag),
      padding: 'none',
      output: 'array',
    });
    return Buffer.from(plain);
  } catch {
    return null;
  }
}
