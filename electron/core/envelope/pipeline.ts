/**
 * The streaming pipeline: encrypt a file into an envelope, decrypt an envelope into a file.
 * Memory is two read buffers of BATCH_BYTES plus the frames being written, whatever the file
 * size. While one batch is sealed (on this thread), the next is read and the previous written
 * (on libuv's thread pool), so disk and CPU overlap. Progress is reported per batch; an
 * AbortSignal cancels between batches.
 */
import type { FileHandle } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import { FileErrors } from '../../../shared/operations/file.js';
import { randomBytes } from '../crypto/random.js';
import { equalBytes } from '../crypto/hmac.js';
import { canonicalContext, DATA_KEY_BYTES, encodeHeader, encodeKeyBinding, MAX_HEADER_BYTES, MESSAGE_ID_BYTES, parseHeader, type EncryptedDataKey } from './format.js';
import { FINAL_MARKER, FINAL_PREFIX_BYTES, frameKey, headerTag, MAX_SEQUENCE, openFrame, REGULAR_PREFIX_BYTES, sealFrame, TAG_BYTES } from './frames.js';
import { atomicOutput, openInput, readFull, refuseSamePath, writeAll } from './io.js';
import { unwrapAny, type Keyring, type KeyringResolver } from './keyrings.js';

/**
 * 256 KiB: per-frame costs (a cipher object, 20-28 bytes) vanish at this size, and node:crypto's
 * per-frame output buffers, which V8 frees lazily, pile up less than with 1 MiB frames.
 */
export const DEFAULT_FRAME_SIZE = 256 * 1024;
/** Bytes read per batch (rounded to whole frames): large enough to amortise each read. */
const BATCH_BYTES = 4 * 1024 * 1024;

export interface Progress {
  /** Input bytes processed so far. */
  done: number;
  /** Size of the input when the job started. */
  total: number;
}

/** What a caller may hand a long job: cancellation and progress events. */
export interface StreamHooks {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

function checkCancelled(hooks: StreamHooks): void {
  if (hooks.signal?.aborted) throw new KeyholdError(FileErrors.Cancelled, 'Cancelled; nothing was written at the output path.', 499);
}

/**
 * Reads `fh` from `position` in batches of `batchBytes` into two alternating buffers, calling
 * `consume` on each batch while the next one is being read. `consume` returns the buffers to
 * write; writing one batch overlaps sealing the next. Returns the bytes read.
 */
export async function pump(
  fh: FileHandle,
  position: number,
  batchBytes: number,
  hooks: StreamHooks,
  consume: (chunk: Buffer, eof: boolean) => Buffer[],
  write: (parts: Buffer[]) => Promise<void>,
  total: number,
): Promise<number> {
  const buffers = [Buffer.allocUnsafe(batchBytes), Buffer.allocUnsafe(batchBytes)];
  let which = 0;
  let pending: Promise<number> | undefined = readFull(fh, buffers[0] as Buffer, position);
  let writing: Promise<void> = Promise.resolve();
  let done = 0;
  try {
    while (pending) {
      const n = await pending;
      pending = undefined;
      checkCancelled(hooks);
      const chunk = (buffers[which] as Buffer).subarray(0, n);
      const eof = n < batchBytes;
      // The next batch is read into the other buffer while this one is sealed or opened.
      which ^= 1;
      if (!eof) pending = readFull(fh, buffers[which] as Buffer, position + done + n);
      // `consume` copies what it keeps, so this buffer can be refilled on the next turn.
      const parts = consume(chunk, eof);
      await writing;
      writing = write(parts);
      done += n;
      hooks.onProgress?.({ done: Math.min(done, total), total });
    }
    await writing;
    return done;
  } finally {
    // Never close a handle with a read still in flight.
    await pending?.catch(() => undefined);
    await writing.catch(() => undefined);
  }
}

export interface EncryptOptions {
  keyrings: readonly Keyring[];
  context: Record<string, string>;
  frameSize?: number;
  /** Bytes read per batch (default 4 MiB); tests make it small to cross batch boundaries. */
  batchBytes?: number;
  hooks?: StreamHooks;
}

export async function encryptFile(inPath: string, outPath: string, opts: EncryptOptions): Promise<{ bytesIn: number; bytesOut: number; dataKeys: EncryptedDataKey[] }> {
  refuseSamePath(inPath, outPath);
  const frameSize = opts.frameSize ?? DEFAULT_FRAME_SIZE;
  const hooks = opts.hooks ?? {};
  const messageId = randomBytes(MESSAGE_ID_BYTES);
  const binding = encodeKeyBinding({ messageId, frameSize, context: opts.context });
  const dataKey = randomBytes(DATA_KEY_BYTES);
  let key: KeyObject;
  const dataKeys: EncryptedDataKey[] = [];
  try {
    for (const k of opts.keyrings) dataKeys.push(await k.wrap(dataKey, binding));
    key = frameKey(dataKey, messageId);
  } finally {
    dataKey.fill(0);
  }
  const { authenticated } = encodeHeader({ messageId, frameSize, context: opts.context, dataKeys });
  const tag = headerTag(key, authenticated);

  const { fh: input, size } = await openInput(inPath);
  try {
    return await atomicOutput(outPath, async (output) => {
      let bytesOut = 0;
      const write = async (parts: Buffer[]) => {
        await writeAll(output, parts);
        for (const p of parts) bytesOut += p.length;
      };
      await write([authenticated, tag]);
      const framesPerBatch = Math.max(1, Math.floor((opts.batchBytes ?? BATCH_BYTES) / frameSize));
      // Small files get a small buffer: just enough for the file and the read that sees its end.
      const batchBytes = Math.min(framesPerBatch, Math.floor(size / frameSize) + 1) * frameSize;
      let seq = 1;
      const seal = (chunk: Buffer, eof: boolean): Buffer[] => {
        const parts: Buffer[] = [];
        let at = 0;
        for (; at + frameSize <= chunk.length; at += frameSize) {
          if (seq >= MAX_SEQUENCE) throw new KeyholdError(FileErrors.HeaderOutOfBounds, 'The file needs more frames than the format allows; use a larger frame size.', 400);
          parts.push(...sealFrame(key, tag, seq++, false, chunk.subarray(at, at + frameSize)));
        }
        // A batch is a whole number of frames, so only the batch that ends the file has a
        // remainder; it (possibly empty) is the final frame, always shorter than a frame.
        if (eof) parts.push(...sealFrame(key, tag, seq, true, chunk.subarray(at)));
        return parts;
      };
      const bytesIn = await pump(input, 0, batchBytes, hooks, seal, write, size);
      return { bytesIn, bytesOut, dataKeys };
    });
  } finally {
    await input.close();
  }
}

export interface DecryptOptions {
  resolvers: readonly KeyringResolver[];
  /** When given, must equal the context stored in the file (FILE.0106 otherwise). */
  context?: Record<string, string>;
  batchBytes?: number;
  hooks?: StreamHooks;
}

function frameError(code: string, message: string): KeyholdError {
  return new KeyholdError(code, message, 400);
}

/**
 * Walks the frame stream: checks each frame's sequence number, opens it, and returns the
 * plaintexts in order. Keeps the bytes of a frame cut by a batch boundary for the next call.
 */
class FrameReader {
  private carry: Buffer = Buffer.alloc(0);
  private expected = 1;
  private finished = false;
  private offset: number;

  constructor(
    private readonly key: KeyObject,
    private readonly tag: Buffer,
    private readonly frameSize: number,
    start: number,
  ) {
    this.offset = start;
  }

  private checkSequence(seq: number, at: number): void {
    if (seq < this.expected) throw frameError(FileErrors.FrameDuplicated, `Frame ${seq} appears again at offset ${at} (frame ${this.expected} expected).`);
    if (seq > this.expected) throw frameError(FileErrors.FrameOutOfOrder, `Frame ${seq} at offset ${at} is out of order: frame ${this.expected} expected (frames reordered or removed).`);
  }

  private open(seq: number, final: boolean, ct: Buffer, tag: Buffer, at: number): Buffer {
    const plain = openFrame(this.key, this.tag, seq, final, ct, tag);
    if (!plain) throw frameError(FileErrors.FrameTampered, `Frame ${seq} at offset ${at} does not authenticate (altered).`);
    return plain;
  }

  /** Plaintexts of the complete frames in `chunk` (after any carried bytes). */
  next(chunk: Buffer, eof: boolean): Buffer[] {
    // Copy: the chunk's buffer is refilled while its plaintexts are written.
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    const regular = REGULAR_PREFIX_BYTES + this.frameSize + TAG_BYTES;
    while (at < buf.length) {
      const pos = this.offset + at;
      if (this.finished) throw frameError(FileErrors.TrailingData, `${buf.length - at} bytes follow the final frame at offset ${pos}.`);
      if (buf.length - at < REGULAR_PREFIX_BYTES) break;
      const first = buf.readUInt32BE(at);
      if (first === FINAL_MARKER) {
        if (buf.length - at < FINAL_PREFIX_BYTES) break;
        const seq = buf.readUInt32BE(at + 4);
        const length = buf.readUInt32BE(at + 8);
        this.checkSequence(seq, pos);
        if (length >= this.frameSize) throw frameError(FileErrors.FrameTampered, `The final frame at offset ${pos} claims ${length} bytes, more than a frame holds (altered).`);
        const end = at + FINAL_PREFIX_BYTES + length + TAG_BYTES;
        if (end > buf.length) break;
        out.push(this.open(seq, true, buf.subarray(at + FINAL_PREFIX_BYTES, end - TAG_BYTES), buf.subarray(end - TAG_BYTES, end), pos));
        this.finished = true;
        at = end;
      } else {
        if (at + regular > buf.length) break;
        this.checkSequence(first, pos);
        out.push(this.open(first, false, buf.subarray(at + REGULAR_PREFIX_BYTES, at + regular - TAG_BYTES), buf.subarray(at + regular - TAG_BYTES, at + regular), pos));
        this.expected++;
        at += regular;
      }
    }
    this.offset += at;
    this.carry = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    if (eof && !this.finished) {
      throw frameError(FileErrors.Truncated, `The envelope ends at offset ${this.offset + this.carry.length} before its final frame (truncated).`);
    }
    return out;
  }
}

export async function decryptFile(inPath: string, outPath: string, opts: DecryptOptions): Promise<{ bytesOut: number; dataKey: EncryptedDataKey }> {
  refuseSamePath(inPath, outPath);
  const hooks = opts.hooks ?? {};
  const { fh: input, size } = await openInput(inPath);
  try {
    const head = Buffer.alloc(Math.min(MAX_HEADER_BYTES, size));
    await readFull(input, head, 0);
    const header = parseHeader(head);
    const { dataKey, edk } = await unwrapAny(opts.resolvers, header.dataKeys, header.keyBinding);
    let key: KeyObject;
    try {
      key = frameKey(dataKey, header.messageId);
    } finally {
      dataKey.fill(0);
    }
    if (!equalBytes(headerTag(key, header.authenticated), header.tag)) {
      throw frameError(FileErrors.HeaderTampered, 'The envelope header does not authenticate (altered).');
    }
    // Only an authentic header's context is compared: an edited one is reported as tampering.
    if (opts.context && canonicalContext(opts.context) !== canonicalContext(header.context)) {
      throw frameError(FileErrors.WrongContext, 'The encryption context differs from the one the file was encrypted with.');
    }
    const reader = new FrameReader(key, header.tag, header.frameSize, header.length);
    const frameBytes = REGULAR_PREFIX_BYTES + header.frameSize + TAG_BYTES;
    const framesPerBatch = Math.max(1, Math.floor((opts.batchBytes ?? BATCH_BYTES) / frameBytes));
    const batchBytes = Math.min(framesPerBatch, Math.floor((size - header.length) / frameBytes) + 1) * frameBytes;
    return await atomicOutput(outPath, async (output) => {
      let bytesOut = 0;
      const write = async (parts: Buffer[]) => {
        await writeAll(output, parts);
        for (const p of parts) bytesOut += p.length;
      };
      await pump(input, header.length, batchBytes, hooks, (chunk, eof) => reader.next(chunk, eof), write, size - header.length);
      return { bytesOut, dataKey: edk };
    });
  } finally {
    await input.close();
  }
}
