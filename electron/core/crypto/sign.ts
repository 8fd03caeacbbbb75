/** Signatures over node:crypto: RSA PSS / PKCS#1 v1.5 and ECDSA (DER), on whole messages. */
import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';

export interface SignOptions {
  hash: 'sha256' | 'sha384' | 'sha512';
  /** Only for RSA keys. */
  padding?: 'pss' | 'pkcs1';
}

function keyOpts(key: KeyObject, opts: SignOptions) {
  if (key.asymmetricKeyType !== 'rsa') return { key };
  return opts.padding === 'pss'
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : { key, padding: constants.RSA_PKCS1_PADDING };
}

export function signMessage(key: KeyObject, message: Buffer, opts: SignOptions): Buffer {
  return nodeSign(opts.hash, message, keyOpts(key, opts));
}

export function verifyMessage(key: KeyObject, message: Buffer, signature: Buffer, opts: SignOptions): boolean {
  return nodeVerify(opts.hash, message, keyOpts(key, opts), signature);
}
