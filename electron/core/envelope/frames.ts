/**
 * Framing of suite 1 (docs/envelope-format.md): the per-file frame key, the header tag, and the
 * wire form of each frame. IVs are derived from the frame's sequence number — never random —
 * so no two frames of a file share an IV, and the sequence number, the final flag and the
 * header tag are all bound into every frame's tag.
 *
 *   regular frame: u32 seq ‖ ciphertext (frame size bytes) ‖ tag
 *   final frame:   u32 0xFFFFFFFF ‖ u32 seq ‖ u32 length ‖ ciphertext (length < frame size) ‖ tag
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { GCM_TAG_BYTES } from '../crypto/aead.js';
import { HEADER_TAG_BYTES } from './format.js';

export const FINAL_MARKER = 0xffffffff;
/** Sequence numbers run from 1; 0xFFFFFFFF is the final-frame marker, so it is never a seq. */
export const MAX_SEQUENCE = 0xfffffffe;
export const REGULAR_PREFIX_BYTES = 4;
export const FINAL_PREFIX_BYTES = 12;
export const TAG_BYTES = GCM_TAG_BYTES;

const FRAME_KEY_INFO = Buffer.from('keyhold envelope v1 frame key', 'latin1');

/**
 * The key frames are sealed with: HKDF-SHA-256 of the data key, salted with the file's random
 * message id. A data key is fresh per file anyway; the derivation keeps (key, IV) pairs unique
 * even if a keyring ever reuses a data key across files.
 */
export function frameKey(dataKey: Buffer, messageId: Buffer): KeyObject {
  const raw = Buffer.from(hkdfSync('sha256', dataKey, messageId, FRAME_KEY_INFO, 32));
  const key = createSecretKey(raw);
  raw.fill(0);
  return key;
}

/** IV = 8 zero bytes ‖ u32 sequence; sequence 0 is the header tag's. */
export function frameIv(seq: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(seq, 8);
  return iv;
}

/** Header tag: GMAC (AES-GCM over no plaintext) of the header bytes, under IV 0. */
export function headerTag(key: KeyObject, authenticated: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, frameIv(0), { authTagLength: HEADER_TAG_BYTES });
  c.setAAD(authenticated);
  c.final();
  return c.getAuthTag();
}

/** Frame AAD = header tag ‖ u32 seq ‖ u8 final ‖ u32 plaintext length. */
export function frameAad(header: Buffer, seq: number, final: boolean, length: number): Buffer {
  const aad = Buffer.alloc(HEADER_TAG_BYTES + 9);
  header.copy(aad, 0);
  aad.writeUInt32BE(seq, HEADER_TAG_BYTES);
  aad[HEADER_TAG_BYTES + 4] = final ? 1 : 0;
  aad.writeUInt32BE(length, HEADER_TAG_BYTES + 5);
  return aad;
}

/** Seals one frame; returns its wire parts (prefix, ciphertext, tag) for a vectored write. */
export function sealFrame(key: KeyObject, headerTagBytes: Buffer, seq: number, final: boolean, plain: Buffer): Buffer[] {
  const prefix = Buffer.alloc(final ? FINAL_PREFIX_BYTES : REGULAR_PREFIX_BYTES);
  if (final) {
    prefix.writeUInt32BE(FINAL_MARKER, 0);
    prefix.writeUInt32BE(seq, 4);
    prefix.writeUInt32BE(plain.length, 8);
  } else {
    prefix.writeUInt32BE(seq, 0);
  }
  const c = createCipheriv('aes-256-gcm', key, frameIv(seq), { authTagLength: TAG_BYTES });
  c.setAAD(frameAad(headerTagBytes, seq, final, plain.length));
  const ct = c.update(plain);
  c.final();
  return [prefix, ct, c.getAuthTag()];
}

/** Opens one frame's ciphertext; null when it does not authenticate (the caller names why). */
export function openFrame(key: KeyObject, headerTagBytes: Buffer, seq: number, final: boolean, ct: Buffer, tag: Buffer): Buffer | null {
  const d = createDecipheriv('aes-256-gcm', key, frameIv(seq), { authTagLength: TAG_BYTES });
  d.setAAD(frameAad(headerTagBytes, seq, final, ct.length));
  d.setAuthTag(tag);
  const plain = d.update(ct);
  try {
    d.final();
    return plain;
  } catch {
    plain.fill(0);
    return null;
  }
}
