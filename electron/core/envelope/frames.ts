/**
 * Framing of suite 1 (docs/envelope-format.md): the per-file frame key, the header tag, and the
 * wire form of each frame. IVs are derived from the frame's sequence number — never random —
 * so no two frames of a file share an IV, and the sequence number, the final flag and the
 * header tag are all bound into every frame's tag.
 *
 *   regular frame: u32 seq ‖ ciphertext (frame size bytes) ‖ tag
 *   final frame:   u32 0xFFFFFFFF ‖ u32 seq ‖ u32 length ‖ ciphertext (length < frame size) ‖ tag
 */
import { hkdfSync } from 'node:crypto';
import { GCM_TAG_BYTES } from '../crypto/aead.js';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { chooseGcmEngine, gcmInto, type GcmEngine, type GcmInto } from '../crypto/gcm-into.js';
import { HEADER_TAG_BYTES } from './format.js';

export const FINAL_MARKER = 0xffffffff;
/** Sequence numbers run from 1; 0xFFFFFFFF is the final-frame marker, so it is never a seq. */
export const MAX_SEQUENCE = 0xfffffffe;
export const REGULAR_PREFIX_BYTES = 4;
export const FINAL_PREFIX_BYTES = 12;
export const TAG_BYTES = GCM_TAG_BYTES;

const FRAME_KEY_INFO = Buffer.from('keyhold envelope v1 frame key', 'latin1');

/**
 * The frame key: HKDF-SHA-256 of the data key, salted with the file's random message id. A data
 * key is fresh per file anyway; the derivation keeps (key, IV) pairs unique even if a keyring
 * ever reuses a data key across files. It lives only inside the GCM context made from it.
 */
function frameGcm(dataKey: Buffer, messageId: Buffer, direction: 'seal' | 'open', engine: GcmEngine = engineFromEnvironment()): GcmInto {
  const raw = Buffer.from(hkdfSync('sha256', dataKey, messageId, FRAME_KEY_INFO, 32));
  try {
    return gcmInto(raw, direction, engine);
  } finally {
    raw.fill(0);
  }
}

/** The engine KEYHOLD_FILE_CIPHER picks; a value it cannot honour is the caller's error, by name. */
function engineFromEnvironment(): GcmEngine {
  try {
    return chooseGcmEngine();
  } catch (e) {
    throw new KeyholdError(LocalErrors.BadArgument, (e as Error).message, 400);
  }
}

/**
 * The IV and AAD of one frame, written into two buffers a sealer or opener owns and reuses:
 * both engines copy them during the call, and a job then allocates nothing per frame.
 *   IV  = 8 zero bytes ‖ u32 sequence (sequence 0 is the header tag's)
 *   AAD = header tag ‖ u32 seq ‖ u8 final ‖ u32 plaintext length
 */
class FrameParams {
  readonly iv = Buffer.alloc(12);
  readonly aad = Buffer.alloc(HEADER_TAG_BYTES + 9);

  /** The IV of `seq`. */
  ivOf(seq: number): Buffer {
    this.iv.writeUInt32BE(seq, 8);
    return this.iv;
  }

  aadOf(headerTag: Buffer, seq: number, final: boolean, length: number): Buffer {
    headerTag.copy(this.aad, 0, 0, HEADER_TAG_BYTES);
    this.aad.writeUInt32BE(seq, HEADER_TAG_BYTES);
    this.aad[HEADER_TAG_BYTES + 4] = final ? 1 : 0;
    this.aad.writeUInt32BE(length, HEADER_TAG_BYTES + 5);
    return this.aad;
  }
}

/** Bytes a sealed frame of `plainBytes` takes on the wire. */
export function sealedBytes(plainBytes: number, final: boolean): number {
  return (final ? FINAL_PREFIX_BYTES : REGULAR_PREFIX_BYTES) + plainBytes + TAG_BYTES;
}

const NOTHING = Buffer.alloc(0);

/** One file's frame key, for writing: the header tag and the frames. */
export interface FrameSealer {
  /** Which AES-GCM runs the frames (crypto/gcm-into.ts). */
  readonly engine: GcmEngine;
  /** Header tag: GMAC (AES-GCM over no plaintext) of the header bytes, under IV 0. */
  headerTag(authenticated: Buffer): Buffer;
  /** Seals one frame into `out` at `at` (prefix, ciphertext, tag); returns the offset after it. */
  seal(headerTag: Buffer, seq: number, final: boolean, plain: Buffer, out: Buffer, at: number): number;
  /** Frees the key schedule. */
  dispose(): void;
}

export function frameSealer(dataKey: Buffer, messageId: Buffer, engine?: GcmEngine): FrameSealer {
  const gcm = frameGcm(dataKey, messageId, 'seal', engine);
  const params = new FrameParams();
  return {
    engine: gcm.engine,
    headerTag(authenticated) {
      const tag = Buffer.alloc(HEADER_TAG_BYTES);
      gcm.seal(params.ivOf(0), authenticated, NOTHING, tag, 0);
      return tag;
    },
    seal(headerTag, seq, final, plain, out, at) {
      if (final) {
        out.writeUInt32BE(FINAL_MARKER, at);
        out.writeUInt32BE(seq, at + 4);
        out.writeUInt32BE(plain.length, at + 8);
        at += FINAL_PREFIX_BYTES;
      } else {
        out.writeUInt32BE(seq, at);
        at += REGULAR_PREFIX_BYTES;
      }
      return gcm.seal(params.ivOf(seq), params.aadOf(headerTag, seq, final, plain.length), plain, out, at);
    },
    dispose: () => gcm.dispose(),
  };
}

/** One file's frame key, for reading: checks the header tag and opens frames. */
export interface FrameOpener {
  readonly engine: GcmEngine;
  /** Whether `tag` is the header tag of `authenticated` (compared inside the cipher, in constant time). */
  headerAuthentic(authenticated: Buffer, tag: Buffer): boolean;
  /**
   * Opens one frame's ciphertext into `out` at `at`; returns the offset after the plaintext, or
   * null when the frame does not authenticate (the caller names why). On null the bytes written
   * are wiped: the caller's buffer never holds unverified plaintext past this call.
   */
  open(headerTag: Buffer, seq: number, final: boolean, ct: Buffer, tag: Buffer, out: Buffer, at: number): number | null;
  dispose(): void;
}

export function frameOpener(dataKey: Buffer, messageId: Buffer, engine?: GcmEngine): FrameOpener {
  const gcm = frameGcm(dataKey, messageId, 'open', engine);
  const params = new FrameParams();
  return {
    engine: gcm.engine,
    headerAuthentic: (authenticated, tag) => tag.length === HEADER_TAG_BYTES && gcm.open(params.ivOf(0), authenticated, NOTHING, tag, NOTHING, 0) !== null,
    open: (headerTag, seq, final, ct, tag, out, at) => gcm.open(params.ivOf(seq), params.aadOf(headerTag, seq, final, ct.length), ct, tag, out, at),
    dispose: () => gcm.dispose(),
  };
}
