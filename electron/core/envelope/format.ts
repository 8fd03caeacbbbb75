/**
 * The envelope header codec (docs/envelope-format.md): a pure function pair, `encodeHeader` and
 * `parseHeader`. Parsing is total — any byte string ends in a header or a typed FILE.* error
 * naming the field and offset — and every stored parameter is bounded before it is used, so a
 * hostile header cannot ask for a huge allocation or a long loop.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { FileErrors } from '../../../shared/operations/file.js';

export const MAGIC = Buffer.from('KHEF', 'latin1');
export const FORMAT_VERSION = 0x01;
/** Suite 1: AES-256-GCM frames, frame key = HKDF-SHA-256(data key, message id), 16-byte tags. */
export const SUITE_AES256_GCM_HKDF_SHA256 = 0x01;
export const MESSAGE_ID_BYTES = 16;
export const HEADER_TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** Bounds checked on read (and on write, so Keyhold never writes what it would refuse). */
export const BOUNDS = {
  minFrameSize: 256,
  maxFrameSize: 16 * 1024 * 1024,
  maxContextBytes: 8192,
  maxDataKeys: 16,
  maxEntryInfoBytes: 1024,
  maxEncryptedKeyBytes: 1024,
} as const;

/** The fixed part before the context: magic, version, suite, message id, frame size, context length. */
const FIXED_BYTES = 4 + 1 + 1 + MESSAGE_ID_BYTES + 4 + 2;
/** No valid header is longer: what a reader needs to buffer before it can parse one. */
export const MAX_HEADER_BYTES =
  FIXED_BYTES + BOUNDS.maxContextBytes + 1 + BOUNDS.maxDataKeys * (1 + 2 + BOUNDS.maxEntryInfoBytes + 2 + BOUNDS.maxEncryptedKeyBytes) + HEADER_TAG_BYTES;

/**
 * Who can unwrap an encrypted data key. A tagged type so that keyrings other than the local
 * vault (a remote Keyhold or Huawei Cloud KMS, by region/project/key id) fit the same header.
 */
export type KeyringEntry = { type: 'local-cmk'; keyId: string; keyVersion: number } | { type: 'remote-kms'; region: string; projectId: string; keyId: string };

export const ENTRY_TAGS = { 'local-cmk': 0x01, 'remote-kms': 0x02 } as const;

export interface EncryptedDataKey {
  entry: KeyringEntry;
  /** The wrapped data key, opaque to the format; its keyring knows the layout. */
  ciphertext: Buffer;
}

export interface EnvelopeHeader {
  messageId: Buffer;
  frameSize: number;
  context: Record<string, string>;
  dataKeys: EncryptedDataKey[];
}

export interface ParsedHeader extends EnvelopeHeader {
  /** Header bytes the tag authenticates (everything before the tag). */
  authenticated: Buffer;
  /** The bytes the data keys are bound to (magic … context): see keyrings.ts. */
  keyBinding: Buffer;
  tag: Buffer;
  /** Total header length, tag included: where the first frame starts. */
  length: number;
}

function headerError(code: string, message: string): KeyholdError {
  return new KeyholdError(code, message, 400);
}

/** JSON of the context's pairs sorted by key (the same canonical form encrypt-data uses). */
export function canonicalContext(context: Record<string, string>): string {
  const keys = Object.keys(context).sort();
  return keys.length ? JSON.stringify(keys.map((k) => [k, context[k]])) : '';
}

function parseContext(bytes: Buffer, offset: number): Record<string, string> {
  if (bytes.length === 0) return {};
  const bad = () =>
    headerError(FileErrors.HeaderMalformed, `Malformed envelope header: encryption context at offset ${offset} is not a sorted list of string pairs.`);
  let pairs: unknown;
  try {
    pairs = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(pairs) || pairs.length === 0) throw bad();
  const out: Record<string, string> = {};
  let previous: string | undefined;
  for (const p of pairs) {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') throw bad();
    // Strictly increasing keys: one context has exactly one encoding, so no two headers differ
    // only in how they spell the same context.
    if (previous !== undefined && !(p[0] > previous)) throw bad();
    previous = p[0];
    Object.defineProperty(out, p[0], { value: p[1], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function encodeEntry(entry: KeyringEntry): Buffer {
  if (entry.type === 'local-cmk') {
    const info = Buffer.alloc(20);
    Buffer.from(entry.keyId.replace(/-/g, ''), 'hex').copy(info, 0);
    info.writeUInt32BE(entry.keyVersion, 16);
    return info;
  }
  const parts = [entry.region, entry.projectId, entry.keyId].map((s) => Buffer.from(s, 'utf8'));
  return Buffer.concat(parts.flatMap((p) => [Buffer.from([p.length]), p]));
}

function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function decodeEntry(tag: number, info: Buffer, offset: number): KeyringEntry {
  const bad = (what: string) => headerError(FileErrors.HeaderMalformed, `Malformed envelope header: keyring entry at offset ${offset}: ${what}.`);
  if (tag === ENTRY_TAGS['local-cmk']) {
    if (info.length !== 20) throw bad('a local CMK entry is 20 bytes');
    return { type: 'local-cmk', keyId: bytesToUuid(info.subarray(0, 16)), keyVersion: info.readUInt32BE(16) };
  }
  if (tag === ENTRY_TAGS['remote-kms']) {
    const fields: string[] = [];
    let at = 0;
    for (let i = 0; i < 3; i++) {
      const len = info[at];
      if (len === undefined || at + 1 + len > info.length) throw bad('a remote KMS entry is three length-prefixed strings');
      fields.push(info.subarray(at + 1, at + 1 + len).toString('utf8'));
      at += 1 + len;
    }
    if (at !== info.length) throw bad('trailing bytes after the remote key id');
    return { type: 'remote-kms', region: fields[0] as string, projectId: fields[1] as string, keyId: fields[2] as string };
  }
  throw bad(`unknown keyring type 0x${tag.toString(16).padStart(2, '0')}`);
}

function checkFrameSize(frameSize: number): void {
  if (!Number.isInteger(frameSize) || frameSize < BOUNDS.minFrameSize || frameSize > BOUNDS.maxFrameSize) {
    throw headerError(FileErrors.HeaderOutOfBounds, `Envelope frame size ${frameSize} is outside ${BOUNDS.minFrameSize}-${BOUNDS.maxFrameSize} bytes.`);
  }
}

/**
 * The first part of the header (magic … encryption context). Data keys are wrapped with it as
 * AAD, so it is needed before the data keys exist.
 */
export function encodeKeyBinding(h: Omit<EnvelopeHeader, 'dataKeys'>): Buffer {
  checkFrameSize(h.frameSize);
  if (h.messageId.length !== MESSAGE_ID_BYTES) throw new Error('message id must be 16 bytes');
  const context = Buffer.from(canonicalContext(h.context), 'utf8');
  if (context.length > BOUNDS.maxContextBytes) {
    throw headerError(FileErrors.HeaderOutOfBounds, `The encryption context is ${context.length} bytes once encoded; at most ${BOUNDS.maxContextBytes}.`);
  }
  const fixed = Buffer.alloc(FIXED_BYTES);
  MAGIC.copy(fixed, 0);
  fixed[4] = FORMAT_VERSION;
  fixed[5] = SUITE_AES256_GCM_HKDF_SHA256;
  h.messageId.copy(fixed, 6);
  fixed.writeUInt32BE(h.frameSize, 22);
  fixed.writeUInt16BE(context.length, 26);
  return Buffer.concat([fixed, context]);
}

/**
 * The header without its tag, and the key-binding prefix (magic … context). The tag needs the
 * data key, so it is computed by the caller over `authenticated` and appended.
 */
export function encodeHeader(h: EnvelopeHeader): { authenticated: Buffer; keyBinding: Buffer } {
  const keyBinding = encodeKeyBinding(h);
  if (h.dataKeys.length < 1 || h.dataKeys.length > BOUNDS.maxDataKeys) {
    throw headerError(FileErrors.HeaderOutOfBounds, `An envelope holds 1-${BOUNDS.maxDataKeys} encrypted data keys, not ${h.dataKeys.length}.`);
  }
  const keys: Buffer[] = [Buffer.from([h.dataKeys.length])];
  for (const k of h.dataKeys) {
    const info = encodeEntry(k.entry);
    if (info.length > BOUNDS.maxEntryInfoBytes || k.ciphertext.length > BOUNDS.maxEncryptedKeyBytes) {
      throw headerError(FileErrors.HeaderOutOfBounds, 'An encrypted data key or its keyring entry is too long.');
    }
    const lens = Buffer.alloc(5);
    lens[0] = ENTRY_TAGS[k.entry.type];
    lens.writeUInt16BE(info.length, 1);
    lens.writeUInt16BE(k.ciphertext.length, 3);
    keys.push(lens.subarray(0, 3), info, lens.subarray(3), k.ciphertext);
  }
  return { authenticated: Buffer.concat([keyBinding, ...keys]), keyBinding };
}

/** A cursor over the header bytes: every read is bounds-checked and names its field. */
class Reader {
  at = 0;
  constructor(private readonly buf: Buffer) {}
  take(n: number, field: string): Buffer {
    if (this.at + n > this.buf.length) {
      throw headerError(FileErrors.Truncated, `The envelope ends inside its header (field ${field} at offset ${this.at}).`);
    }
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(field: string): number {
    return this.take(1, field)[0] as number;
  }
  u16(field: string): number {
    return this.take(2, field).readUInt16BE(0);
  }
  u32(field: string): number {
    return this.take(4, field).readUInt32BE(0);
  }
}

/**
 * Parses the header at the start of `buf` (which may hold frames after it). `buf` need hold no
 * more than MAX_HEADER_BYTES; if it ends early and the file ended too, that is truncation.
 */
export function parseHeader(buf: Buffer): ParsedHeader {
  const r = new Reader(buf);
  // A short prefix of the magic is a truncated envelope (the reader below says so); anything
  // else, or nothing at all, is not an envelope.
  const magic = buf.subarray(0, 4);
  if (magic.length === 0 || !MAGIC.subarray(0, magic.length).equals(magic)) {
    throw headerError(FileErrors.NotEnvelope, 'The input is not a Keyhold envelope (no KHEF magic at offset 0).');
  }
  r.take(4, 'magic');
  const version = r.u8('version');
  if (version !== FORMAT_VERSION) throw headerError(FileErrors.Unsupported, `Unsupported envelope version ${version} at offset 4.`);
  const suite = r.u8('suite');
  if (suite !== SUITE_AES256_GCM_HKDF_SHA256) throw headerError(FileErrors.Unsupported, `Unsupported envelope algorithm suite ${suite} at offset 5.`);
  const messageId = Buffer.from(r.take(MESSAGE_ID_BYTES, 'message_id'));
  const frameSize = r.u32('frame_size');
  checkFrameSize(frameSize);
  const contextAt = r.at;
  const contextLength = r.u16('context_length');
  if (contextLength > BOUNDS.maxContextBytes) {
    throw headerError(
      FileErrors.HeaderOutOfBounds,
      `Envelope encryption context of ${contextLength} bytes at offset ${contextAt}; at most ${BOUNDS.maxContextBytes}.`,
    );
  }
  const context = parseContext(r.take(contextLength, 'context'), contextAt + 2);
  const keyBinding = Buffer.from(buf.subarray(0, r.at));
  const countAt = r.at;
  const count = r.u8('data_key_count');
  if (count < 1 || count > BOUNDS.maxDataKeys) {
    throw headerError(FileErrors.HeaderOutOfBounds, `Envelope holds ${count} encrypted data keys (offset ${countAt}); 1-${BOUNDS.maxDataKeys} allowed.`);
  }
  const dataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < count; i++) {
    const entryAt = r.at;
    const tag = r.u8('keyring_type');
    const infoLength = r.u16('entry_length');
    if (infoLength > BOUNDS.maxEntryInfoBytes) throw headerError(FileErrors.HeaderOutOfBounds, `Keyring entry of ${infoLength} bytes at offset ${entryAt}.`);
    const entry = decodeEntry(tag, r.take(infoLength, 'entry'), entryAt);
    const ctLength = r.u16('encrypted_key_length');
    if (ctLength > BOUNDS.maxEncryptedKeyBytes)
      throw headerError(FileErrors.HeaderOutOfBounds, `Encrypted data key of ${ctLength} bytes at offset ${entryAt}.`);
    dataKeys.push({ entry, ciphertext: Buffer.from(r.take(ctLength, 'encrypted_key')) });
  }
  const authenticated = Buffer.from(buf.subarray(0, r.at));
  const tag = Buffer.from(r.take(HEADER_TAG_BYTES, 'header_tag'));
  return { messageId, frameSize, context, dataKeys, authenticated, keyBinding, tag, length: r.at };
}
