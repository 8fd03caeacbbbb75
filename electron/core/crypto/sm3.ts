/**
 * SM3 (GB/T 32905) and HMAC-SM3 through `sm-crypto-v2`, not node:crypto: Electron's BoringSSL
 * has no SM3, and the KMS must give the same answers in the desktop app as in the CLI. Checked
 * against `openssl dgst -sm3` and `openssl mac -digest SM3` in the KMS tests.
 */
import { sm3 } from 'sm-crypto-v2';

export function sm3Digest(data: Uint8Array): Buffer {
  return Buffer.from(sm3(new Uint8Array(data)), 'hex');
}

export function hmacSm3(key: Uint8Array, data: Uint8Array): Buffer {
  return Buffer.from(sm3(new Uint8Array(data), { key: new Uint8Array(key), mode: 'hmac' }), 'hex');
}
