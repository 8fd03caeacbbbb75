/**
 * Import tokens of bring-your-own key material: 150 opaque bytes (base64, 200 characters, the
 * cloud's minimum) naming the key and a stored token record; the record holds the wrapping key
 * and the token's SHA-256, so a token is honoured only if it is byte-for-byte the one issued.
 *
 *   "KHIT" ‖ 0x01 ‖ key id (16) ‖ token id (16) ‖ expiry, seconds (u64) ‖ random (105)
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { WrappingAlgorithm } from '../../../shared/constants.js';
import type { WrappedKey } from '../hsm/backend.js';
import { equalBytes, sha256 } from '../crypto/hmac.js';
import { randomBytes } from '../crypto/random.js';
import { bytesToUuid, uuidToBytes } from './ciphertext.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

export const TOKEN_TABLE = 'kms_import_tokens';
export const TOKEN_LIFETIME_MS = 24 * 3600 * 1000;
const MAGIC = Buffer.from('KHIT');
const TOKEN_BYTES = 150;

export interface TokenRecord {
  token_id: string;
  key_id: string;
  wrapping_algorithm: WrappingAlgorithm;
  wrapping_key: WrappedKey;
  /** ms */
  expires: number;
  token_sha256: string;
}

export function issueToken(keyId: string, expiresMs: number): { token: string; tokenId: string; digest: string } {
  const tokenId = randomBytes(16);
  const expiry = Buffer.alloc(8);
  expiry.writeBigUInt64BE(BigInt(Math.floor(expiresMs / 1000)));
  const raw = Buffer.concat([MAGIC, Buffer.from([1]), uuidToBytes(keyId), tokenId, expiry, randomBytes(TOKEN_BYTES - 45)]);
  return { token: raw.toString('base64'), tokenId: tokenId.toString('hex'), digest: sha256(raw).toString('hex') };
}

/** Parses a token: not one of ours → KMS.2601; issued for another key → KMS.2603. */
export function parseToken(token: string, keyId: string): { tokenId: string; raw: Buffer } {
  const raw = Buffer.from(token, 'base64');
  if (raw.length !== TOKEN_BYTES || !raw.subarray(0, 4).equals(MAGIC) || raw[4] !== 1) {
    throw new KeyholdError(KmsErrors.BadImportToken, 'Invalid import_token: it is not an import token issued by get-parameters-for-import.', 400);
  }
  const tokenKey = bytesToUuid(raw.subarray(5, 21));
  if (tokenKey !== keyId) throw new KeyholdError(KmsErrors.ImportKeyMismatch, `Invalid import_token: it was issued for key ${tokenKey}, not ${keyId}.`, 400);
  return { tokenId: raw.subarray(21, 37).toString('hex'), raw };
}

/** The stored record must exist, match the token exactly and not be expired (KMS.2605). */
export function checkToken(record: TokenRecord | undefined, raw: Buffer, now: number): TokenRecord {
  if (!record || !equalBytes(Buffer.from(record.token_sha256, 'hex'), sha256(raw))) {
    throw new KeyholdError(KmsErrors.ImportTokenCheck, 'Invalid import_token: it is unknown or was already used.', 400);
  }
  if (record.expires <= now)
    throw new KeyholdError(KmsErrors.ImportTokenCheck, 'Invalid import_token: it has expired (tokens are valid 24 hours); get new import parameters.', 400);
  return record;
}
