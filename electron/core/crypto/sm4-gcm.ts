/**
 * SM4-GCM (RFC 8998; GB/T 32907 block cipher in GCM), the authenticated mode Keyhold uses for SM4
 * keys: the same 12-byte IV and 16-byte tag as AES-256-GCM, so SM4 ciphertexts keep the KMS
 * ciphertext frame (docs/ciphertext-format.md). Node 20's OpenSSL has SM4 only in unauthenticated
 * modes (ECB/CBC/CTR/OFB/CFB), so this goes through `sm-crypto-v2`, checked against RFC 8998's
 * vector and the GB/T 32907 block vector in the tests.
 */
import { sm4 } from 'sm-crypto-v2';

export const SM4_KEY_BYTES = 16;

export function sm4GcmSeal(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
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

/** Returns null when authentication fails. */
export function sm4GcmOpen(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer | null {
  if (tag.length !== 16) return null;
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
