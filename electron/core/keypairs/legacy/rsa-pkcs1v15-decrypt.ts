/**
 * LEGACY: RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2), the padding Cloudbase-Init uses for a
 * Windows server's password blob. Node 20 refuses RSA_PKCS1_PADDING for private decryption
 * (CVE-2023-46809, a Bleichenbacher oracle), so this does the raw RSA step with RSA_NO_PADDING
 * and checks the padding itself, answering one result for every kind of padding failure.
 * Only windows-password imports this; it must never become a decryption service for network
 * callers, which is exactly the oracle the CVE is about.
 */
import { constants, privateDecrypt, type KeyObject } from 'node:crypto';

/** The message, or null when the block is not a valid EME-PKCS1-v1_5 encoding for this key. */
export function rsaPkcs1v15Decrypt(key: KeyObject, ciphertext: Buffer): Buffer | null {
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return null;
  }
  // EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M. Scan the whole block without
  // stopping early so the time taken does not depend on where the separator is.
  let separator = 0;
  let bad = (em[0] as number) | ((em[1] as number) ^ 0x02);
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  bad |= separator === 0 ? 1 : 0;
  bad |= separator !== 0 && separator < 10 ? 1 : 0;
  return bad ? null : Buffer.from(em.subarray(separator + 1));
}
