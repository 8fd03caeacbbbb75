// The pipeline at real sizes: frames larger than the cipher's 16 KiB slices, checked frame by
// frame with WebCrypto (not the code under test); the ring of batches wrapping several times at
// the default sizes; and pump's own guarantees — one write at a time, in order, and a failed
// write failing the job without an unhandled rejection.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHeader } from '../../../electron/core/envelope/format.js';
import { localCmkKeyring, localVaultResolver } from '../../../electron/core/envelope/keyrings.js';
import { decryptFile, encryptFile, pump } from '../../../electron/core/envelope/pipeline.js';
import { memoryKmsContext, putVectorCmk } from '../../helpers/memory-store.js';
import { kmsWithKeys, plainFile, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const subtle = globalThis.crypto.subtle;
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const ivOf = (seq: number) => Buffer.concat([Buffer.alloc(8), u32(seq)]);

/** WebCrypto takes ArrayBuffer-backed views; a copy is one. */
const bytes = (b: Buffer) => new Uint8Array(b);

async function gcmOpen(rawKey: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Promise<Buffer> {
  const key = await subtle.importKey('raw', bytes(rawKey), 'AES-GCM', false, ['decrypt']);
  return Buffer.from(await subtle.decrypt({ name: 'AES-GCM', iv: bytes(iv), additionalData: bytes(aad), tagLength: 128 }, key, bytes(sealed)));
}

async function hkdf(ikm: Buffer, salt: Buffer, info: string): Promise<Buffer> {
  const key = await subtle.importKey('raw', bytes(ikm), 'HKDF', false, ['deriveBits']);
  return Buffer.from(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: bytes(salt), info: bytes(Buffer.from(info, 'latin1')) }, key, 256));
}

describe('frames larger than the cipher slices', () => {
  it('WebCrypto opens every frame the pipeline sealed (40 000-byte frames, the ring wrapped)', async () => {
    const cmk = { key_id: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab', key_version: 1, key_hex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' };
    const ctx = memoryKmsContext();
    putVectorCmk(ctx, cmk);
    const frame = 40_000;
    // 11 whole frames and a remainder, 2 frames per batch: 6 batches through a ring of 4.
    const { dir, plain, data } = plainFile(11 * frame + 1234);
    const enc = join(dir, 'e.khe');
    await encryptFile(plain, enc, { keyrings: [localCmkKeyring(ctx, cmk.key_id)], context: { purpose: 'depth' }, frameSize: frame, batchBytes: 2 * frame });

    // The layout is parsed by the code under test; every cryptographic check below is WebCrypto's.
    const file = readFileSync(enc);
    const header = parseHeader(file);
    const edk = header.dataKeys[0]!.ciphertext;
    const dataKey = await gcmOpen(Buffer.from(cmk.key_hex, 'hex'), edk.subarray(0, 12), edk.subarray(12), header.keyBinding);
    const frameKey = await hkdf(dataKey, header.messageId, 'keyhold envelope v1 frame key');
    expect((await gcmOpen(frameKey, ivOf(0), header.tag, header.authenticated)).length).toBe(0);
    const plains: Buffer[] = [];
    let at = header.length;
    for (let seq = 1; at < file.length; seq++) {
      const final = file.readUInt32BE(at) === 0xffffffff;
      const length = final ? file.readUInt32BE(at + 8) : frame;
      const prefix = final ? 12 : 4;
      expect(file.readUInt32BE(final ? at + 4 : at)).toBe(seq);
      const aad = Buffer.concat([header.tag, u32(seq), Buffer.from([final ? 1 : 0]), u32(length)]);
      plains.push(await gcmOpen(frameKey, ivOf(seq), file.subarray(at + prefix, at + prefix + length + 16), aad));
      at += prefix + length + 16;
      if (final) expect(at).toBe(file.length);
    }
    expect(plains).toHaveLength(12);
    expect(Buffer.concat(plains).equals(data)).toBe(true);

    const out = join(dir, 'd');
    await decryptFile(enc, out, { resolvers: [localVaultResolver(ctx)], batchBytes: 2 * (frame + 20) });
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  it('round-trips 9 MiB + 7 bytes at the default frame and batch sizes', async () => {
    const { ctx, keyIds } = await kmsWithKeys(1);
    const { dir, plain, data } = plainFile(9 * 1024 * 1024 + 7);
    await encryptFile(plain, join(dir, 'e'), { keyrings: [localCmkKeyring(ctx, keyIds[0]!)], context: {} });
    await decryptFile(join(dir, 'e'), join(dir, 'd'), { resolvers: [localVaultResolver(ctx)] });
    expect((await readFile(join(dir, 'd'))).equals(data)).toBe(true);
  });
});

describe('pump', () => {
  const identity = (chunk: Buffer, _eof: boolean, out: Buffer) => chunk.copy(out);

  it('writes one batch at a time, each at its position, while reading ahead', async () => {
    const { plain, data } = plainFile(10 * 1000 + 5);
    const fh = await open(plain, 'r');
    const target = Buffer.alloc(data.length + 3);
    let inFlight = 0;
    let maxInFlight = 0;
    const write = async (chunk: Buffer, position: number) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      chunk.copy(target, position);
      inFlight--;
    };
    try {
      const read = await pump(fh, 0, 1000, {}, data.length, { outputBytes: 1000, consume: identity, write, start: 3, leavesGarbage: false });
      expect(read).toBe(data.length);
    } finally {
      await fh.close();
    }
    expect(maxInFlight).toBe(1);
    expect(target.subarray(3).equals(data)).toBe(true);
  });

  it('a failed write fails the job with its error, and nothing is left unhandled', async () => {
    const { plain } = plainFile(20 * 1000);
    const fh = await open(plain, 'r');
    let writes = 0;
    const write = async () => {
      if (++writes === 2) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    try {
      await expect(pump(fh, 0, 1000, {}, 20 * 1000, { outputBytes: 1000, consume: identity, write, start: 0, leavesGarbage: false })).rejects.toMatchObject({
        code: 'ENOSPC',
      });
    } finally {
      await fh.close();
    }
    // Writes queued behind the failed one never ran: nothing lands after a gap.
    expect(writes).toBe(2);
  });

  it('stops at the first short batch even when the file is a whole number of batches', async () => {
    const { plain } = plainFile(4000);
    const fh = await open(plain, 'r');
    const seen: [number, boolean][] = [];
    try {
      await pump(fh, 0, 1000, {}, 4000, {
        outputBytes: 0,
        consume: (c, eof) => (seen.push([c.length, eof]), 0),
        write: async () => undefined,
        start: 0,
        leavesGarbage: false,
      });
    } finally {
      await fh.close();
    }
    expect(seen).toEqual([
      [1000, false],
      [1000, false],
      [1000, false],
      [1000, false],
      [0, true],
    ]);
  });

  /** Runs pump over `size` random bytes, keeping a view of every ring buffer consume was given. */
  async function ringAfter(size: number, consume: (chunk: Buffer, eof: boolean, out: Buffer) => number) {
    const { plain } = plainFile(size);
    const fh = await open(plain, 'r');
    // Keyed by backing store: 5000-byte buffers each have their own (Node pools only < 4 KiB).
    const ring = new Map<ArrayBufferLike, Uint8Array>();
    // Every input buffer passes through a read, including those read ahead and never consumed.
    const reader = {
      read: (buf: Buffer, offset: number, length: number, position: number) => {
        ring.set(buf.buffer, buf);
        return fh.read(buf, offset, length, position);
      },
    } as unknown as FileHandle;
    const watched = (chunk: Buffer, eof: boolean, out: Buffer) => {
      ring.set(out.buffer, out);
      return consume(chunk, eof, out);
    };
    const job = pump(reader, 0, 5000, {}, size, { outputBytes: 5000, consume: watched, write: async () => undefined, start: 0, leavesGarbage: false });
    const outcome = await job.then(
      () => 'done',
      (e: Error) => e.message,
    );
    await fh.close();
    return { outcome, ring: [...ring.values()] };
  }

  it('leaves the whole ring wiped, after a job and after a consume that fails halfway through its output', async () => {
    const done = await ringAfter(23_456, identity);
    expect(done.outcome).toBe('done');
    expect(done.ring).toHaveLength(8);
    for (const b of done.ring) expect(b.every((x) => x === 0)).toBe(true);

    let calls = 0;
    const failing = await ringAfter(40_000, (chunk, _eof, out) => {
      // The third batch writes part of its output, then fails: how much it wrote is unknown to pump.
      if (++calls === 3) {
        chunk.copy(out, 0, 0, 3000);
        throw new Error('frame 3 does not authenticate');
      }
      return chunk.copy(out);
    });
    expect(failing.outcome).toBe('frame 3 does not authenticate');
    for (const b of failing.ring) expect(b.every((x) => x === 0)).toBe(true);
  });
});
