/**
 * RSAES-PKCS1-v1_5 decryption, needed only to unwrap bring-your-own key material that a user
 * wrapped with the import guide's `openssl rsautl -encrypt -pkcs`. Node 20 refuses this padding
 * for private decryption (CVE-2023-46809, the Marvin timing attack), so it is done with
 * node-forge. It is a legacy primitive: only the import path uses it, callers see one generic
 * failure (no padding-oracle detail), and the wrapping key it uses lives for 24 hours.
 */
import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

/** node-forge is loaded on first use only: it is large, and most processes never import material. */
let forgeModule: typeof import('node-forge') | undefined;
function forge(): typeof import('node-forge') {
  forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof import('node-forge');
  return forgeModule;
}

/** Returns the plaintext, or null when the block does not decrypt. */
export function pkcs1v15Decrypt(privateKey: KeyObject, ciphertext: Buffer): Buffer | null {
  const pem = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  const key = forge().pki.privateKeyFromPem(pem);
  try {
    return Buffer.from(key.decrypt(ciphertext.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
  } catch {
    return null;
  }
}
