/**
 * Journey 3: a Windows server's Administrator password, encrypted by Cloudbase-Init with the
 * key pair's RSA public key and PKCS#1 v1.5 padding, decrypted locally. Each failure has its
 * own error: malformed base64, not an RSA key, not encrypted for this key. The password is
 * returned to the caller only, never logged.
 */
import { KpsErrors, kpsError } from './errors.js';
import { keyBits, toKeyObject, type PrivateKey } from './key.js';
import { rsaPkcs1v15Decrypt } from './legacy/rsa-pkcs1v15-decrypt.js';

export function decodeBlob(b64: string): Buffer {
  const compact = b64.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw kpsError(KpsErrors.BlobMalformed, 'password_blob is not valid base64.');
  }
  return Buffer.from(compact, 'base64');
}

export function decryptWindowsPassword(key: PrivateKey, blob: Buffer): string {
  if (key.type !== 'ssh-rsa') throw kpsError(KpsErrors.NotRsa, `The key is ${key.type}; Windows passwords are encrypted for RSA key pairs only.`);
  const modulusBytes = Math.ceil(keyBits(key) / 8);
  if (blob.length !== modulusBytes) {
    throw kpsError(
      KpsErrors.BlobNotForKey,
      `password_blob is ${blob.length} bytes; a blob for this ${keyBits(key)}-bit key is ${modulusBytes}. It was not encrypted for this key.`,
    );
  }
  const message = rsaPkcs1v15Decrypt(toKeyObject(key), blob);
  let password = '';
  if (message) {
    try {
      password = new TextDecoder('utf-8', { fatal: true }).decode(message);
    } catch {
      // Not UTF-8: random-looking output is what a wrong key gives; treat it as one.
    }
  }
  if (!message || password.length === 0) throw kpsError(KpsErrors.BlobNotForKey, 'password_blob was not encrypted for this key (the padding check failed).');
  return password;
}
