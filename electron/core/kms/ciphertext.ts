/**
 * The small-data ciphertext of encrypt-data (docs/ciphertext-format.md). It names its key and
 * key version so decrypt-data needs no key id, binds its header and the caller's context as
 * AAD, and pads short plaintexts so the base64 form is never under the cloud's 128 characters.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { HsmKeyKind } from '../hsm/backend.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

export const CT_VERSION = 0x01;
export const ALG_AES_256_GCM = 0x01;
export const ALG_SM4_GCM = 0x02;
/** The algorithm byte of each symmetric kind; a key of another kind makes no such ciphertext. */
export const CIPHERTEXT_ALG: Partial<Record<HsmKeyKind, number>> = { 'aes-256': ALG_AES_256_GCM, sm4: ALG_SM4_GCM };
export const HEADER_BYTES = 34;
export const TAG_BYTES = 16;
/** The framed plaintext (2-byte length ‖ data ‖ zeros) is padded to at least this many bytes. */
export const MIN_FRAMED = 46;

export interface CiphertextHeader {
  /** ALG_AES_256_GCM or ALG_SM4_GCM: it must be the algorithm of the key it names. */
  algorithm: number;
  keyId: string;
  keyVersion: number;
  iv: Buffer;
}

export function uuidToBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

export function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function encodeHeader(h: CiphertextHeader): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out[0] = CT_VERSION;
  out[1] = h.algorithm;
  uuidToBytes(h.keyId).copy(out, 2);
  out.writeUInt32BE(h.keyVersion, 18);
  h.iv.copy(out, 22);
  return out;
}

/** Parses the header of a decoded ciphertext; any malformed input is KMS.2201. */
export function decodeCiphertext(raw: Buffer): { header: CiphertextHeader; headerBytes: Buffer; body: Buffer; tag: Buffer } {
  if (raw.length < HEADER_BYTES + MIN_FRAMED + TAG_BYTES || raw[0] !== CT_VERSION || (raw[1] !== ALG_AES_256_GCM && raw[1] !== ALG_SM4_GCM)) {
    throw new KeyholdError(KmsErrors.BadCipherText, 'Invalid cipher_text: not a Keyhold ciphertext of a supported version.', 400, 'ciphertext.malformed');
  }
  return {
    header: { algorithm: raw[1] as number, keyId: bytesToUuid(raw.subarray(2, 18)), keyVersion: raw.readUInt32BE(18), iv: raw.subarray(22, 34) },
    headerBytes: raw.subarray(0, HEADER_BYTES),
    body: raw.subarray(HEADER_BYTES, raw.length - TAG_BYTES),
    tag: raw.subarray(raw.length - TAG_BYTES),
  };
}

/** AAD = header ‖ u32 len ‖ additional_authenticated_data ‖ u32 len ‖ canonical encryption_context. */
export function contextAad(headerBytes: Buffer, aad: string | undefined, context: Record<string, string> | undefined): Buffer {
  const a = Buffer.from(aad ?? '', 'utf8');
  const c = Buffer.from(context ? canonicalContext(context) : '', 'utf8');
  const lens = Buffer.alloc(8);
  lens.writeUInt32BE(a.length, 0);
  lens.writeUInt32BE(c.length, 4);
  return Buffer.concat([headerBytes, lens.subarray(0, 4), a, lens.subarray(4), c]);
}

/** JSON of the context's entries sorted by key: the same context always gives the same bytes. */
export function canonicalContext(context: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(context)
      .sort()
      .map((k) => [k, context[k]]),
  );
}

/** 2-byte length ‖ plaintext ‖ zeros; text is framed as its UTF-8 bytes, encoded in place. */
export function frame(plaintext: Buffer | string): Buffer {
  const text = typeof plaintext === 'string';
  const length = text ? Buffer.byteLength(plaintext, 'utf8') : plaintext.length;
  const framed = Buffer.alloc(Math.max(MIN_FRAMED, 2 + length));
  framed.writeUInt16BE(length, 0);
  if (text) framed.write(plaintext, 2, 'utf8');
  else plaintext.copy(framed, 2);
  return framed;
}

export function unframe(framed: Buffer): Buffer {
  const len = framed.length >= 2 ? framed.readUInt16BE(0) : -1;
  if (len < 0 || 2 + len > framed.length)
    throw new KeyholdError(KmsErrors.BadCipherText, 'Invalid cipher_text: bad inner length.', 400, 'ciphertext.inner-length');
  return framed.subarray(2, 2 + len);
}
