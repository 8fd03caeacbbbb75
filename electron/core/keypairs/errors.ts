/**
 * The key-pair errors. KPS publishes only KPS.7004 (reference §3.3); the other codes are
 * Keyhold's, in the same flat KPS shape, and listed in docs/key-formats.md. Messages name the
 * format, the field and the byte offset of a malformed input, never any key material.
 */
import { KeyholdError } from '../../../shared/errors.js';

export const KpsErrors = {
  /** A request field is missing. */
  Missing: 'KPS.0001',
  /** A request field is present but invalid. */
  Invalid: 'KPS.0002',
  /** A key file is malformed (truncated, bad base64, bad structure). */
  Malformed: 'KPS.1001',
  /** The file is encrypted and no passphrase was given. */
  PassphraseRequired: 'KPS.1002',
  /** The passphrase is wrong, or the file was altered (the two look alike by design). */
  WrongPassphrase: 'KPS.1003',
  /** A well-formed file using something Keyhold does not support (cipher, KDF, key type). */
  Unsupported: 'KPS.1004',
  /** A KDF cost in the file is beyond Keyhold's bounds; refused before any work is done. */
  KdfOutOfBounds: 'KPS.1005',
  /** The content is none of the formats Keyhold reads. */
  UnknownFormat: 'KPS.1006',
  /** The requested output format cannot hold this key (a public key into a private format). */
  FormatMismatch: 'KPS.1007',
  /** A file could not be read or written. */
  FileAccess: 'KPS.1008',
  /** The output file exists and --force was not given. */
  OutputExists: 'KPS.1009',
  /** windows-password: the key is not RSA. */
  NotRsa: 'KPS.2001',
  /** windows-password: the blob was not encrypted for this key (padding check failed). */
  BlobNotForKey: 'KPS.2002',
  /** windows-password: the blob is not valid base64 of the key's modulus length. */
  BlobMalformed: 'KPS.2003',
  /** No key pair of that name. */
  NotFound: 'KPS.7001',
  /** The key pair has no hosted private key. */
  NoPrivateKey: 'KPS.7002',
  /** The public and private key given do not belong together. */
  KeyMismatch: 'KPS.7003',
  AlreadyExists: 'KPS.7004',
  /** A hosted private key no longer decrypts under its CMK. */
  SealBroken: 'KPS.7005',
} as const;

export function kpsError(code: string, message: string, status = 400): KeyholdError {
  return new KeyholdError(code, message, status);
}

/** A malformed input, naming where: `PPK v3: Private-Lines at byte 412: not base64`. */
export function malformed(format: string, field: string, offset: number | undefined, why: string): KeyholdError {
  const at = offset === undefined ? '' : ` at byte ${offset}`;
  return kpsError(KpsErrors.Malformed, `${format}: ${field}${at}: ${why}.`);
}
