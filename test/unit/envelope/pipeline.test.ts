// The streaming pipeline: round trips at the frame-size edges, every tamper case with its own
// code, several keyrings, cancellation, progress — with 256-byte frames and tiny batches, so
// frames cross batch boundaries and the suite stays fast.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localCmkKeyring, localVaultResolver } from '../../../electron/core/envelope/keyrings.js';
import { parseHeader } from '../../../electron/core/envelope/format.js';
import type { GcmEngine } from '../../../electron/core/crypto/gcm-into.js';
import { decryptFile, encryptFile, type Progress } from '../../../electron/core/envelope/pipeline.js';
import { CMK_TABLE, type CmkRecord } from '../../../electron/core/kms/keys.js';
import { rotateKey } from '../../../electron/core/kms/rotation.js';
import { FileErrors } from '../../../shared/operations/file.js';
import { kmsWithKeys, plainFile, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const F = 256;
const FRAME_BYTES = 4 + F + 16;
const small = { frameSize: F, batchBytes: 1000 };

/** Both AES-GCM engines (crypto/gcm-into.ts) must make and read the same envelopes. */
const ENGINES: GcmEngine[] = ['native', 'node:crypto'];

async function setup(size: number, keys = 1, context: Record<string, string> = { purpose: 'test' }, engine?: GcmEngine) {
  const { ctx, keyIds } = await kmsWithKeys(keys);
  const { dir, plain, data } = plainFile(size);
  const enc = join(dir, 'plain.bin.khe');
  const out = join(dir, 'decrypted.bin');
  const r = await encryptFile(plain, enc, { keyrings: keyIds.map((id) => localCmkKeyring(ctx, id)), context, ...small, engine });
  const decrypt = (from = enc, opts: { context?: Record<string, string>; engine?: GcmEngine } = {}) =>
    decryptFile(from, out, { resolvers: [localVaultResolver(ctx)], batchBytes: 1000, engine, ...opts });
  return { ctx, keyIds, dir, plain, data, enc, out, r, decrypt };
}

/** Writes `bytes` as a new envelope file beside the original and returns its path. */
function variant(dir: string, name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** The envelope split into header and frames (regular frames are fixed-size). */
function split(enc: string) {
  const bytes = readFileSync(enc);
  const headerLength = parseHeader(bytes).length;
  const frames: Buffer[] = [];
  let at = headerLength;
  while (at < bytes.length) {
    const final = bytes.readUInt32BE(at) === 0xffffffff;
    const len = final ? 12 + bytes.readUInt32BE(at + 8) + 16 : FRAME_BYTES;
    frames.push(bytes.subarray(at, at + len));
    at += len;
  }
  return { bytes, header: bytes.subarray(0, headerLength), frames };
}

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toMatchObject({ code });
}

describe('envelope round trips', () => {
  for (const size of [0, 1, F - 1, F, F + 1, 2 * F, 37 * F + 129]) {
    it(`${size} bytes`, async () => {
      const { data, out, r, decrypt, keyIds } = await setup(size);
      expect(r.bytesIn).toBe(size);
      const d = await decrypt();
      expect(d.bytesOut).toBe(size);
      expect(d.dataKey.entry).toMatchObject({ type: 'local-cmk', keyId: keyIds[0] });
      expect(readFileSync(out).equals(data)).toBe(true);
    });
  }

  it('writes the final frame shorter than a frame: an exact multiple ends with an empty one', async () => {
    const { enc } = await setup(3 * F);
    const { frames } = split(enc);
    expect(frames).toHaveLength(4);
    expect(frames[3]!.readUInt32BE(8)).toBe(0);
  });

  it('reports progress up to the total and honours a default batch size', async () => {
    const { ctx, keyIds } = await kmsWithKeys(1);
    const { dir, plain, data } = plainFile(10 * F + 3);
    const seen: Progress[] = [];
    await encryptFile(plain, join(dir, 'e'), {
      keyrings: [localCmkKeyring(ctx, keyIds[0]!)],
      context: {},
      frameSize: F,
      batchBytes: 2 * F,
      hooks: { onProgress: (p) => seen.push(p) },
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual({ done: data.length, total: data.length });
    await decryptFile(join(dir, 'e'), join(dir, 'd'), { resolvers: [localVaultResolver(ctx)] });
    expect(readFileSync(join(dir, 'd')).equals(data)).toBe(true);
  });
});

describe('both AES-GCM engines', () => {
  for (const size of [0, 1, F - 1, F, F + 1, 37 * F + 129]) {
    it(`${size} bytes: each engine writes the same frame layout and opens the other's`, async () => {
      const s = await setup(size, 1, { purpose: 'test' }, 'native');
      const byNative = split(s.enc);
      await s.decrypt(s.enc, { engine: 'node:crypto' });
      expect(readFileSync(s.out)).toEqual(s.data);
      const again = variant(s.dir, 'again.khe', byNative.bytes);
      await encryptFile(s.plain, again, { keyrings: [localCmkKeyring(s.ctx, s.keyIds[0]!)], context: { purpose: 'test' }, ...small, engine: 'node:crypto' });
      await s.decrypt(again, { engine: 'native' });
      expect(readFileSync(s.out)).toEqual(s.data);
      // Fresh data key and message id per file, so the bytes differ but the shape must not.
      expect(split(again).frames.map((f) => f.length)).toEqual(byNative.frames.map((f) => f.length));
    });
  }
});

describe('envelope tampering: each case has its own code, and nothing is left at the output', () => {
  const cases: [string, (s: ReturnType<typeof split>) => Buffer, string][] = [
    ['truncated at a frame boundary (final frame removed)', (s) => Buffer.concat([s.header, ...s.frames.slice(0, -1)]), FileErrors.Truncated],
    ['truncated inside a frame', (s) => s.bytes.subarray(0, s.header.length + FRAME_BYTES + 100), FileErrors.Truncated],
    ['truncated inside the final frame', (s) => s.bytes.subarray(0, s.bytes.length - 5), FileErrors.Truncated],
    ['truncated inside the header', (s) => s.bytes.subarray(0, s.header.length - 20), FileErrors.Truncated],
    ['frames reordered', (s) => Buffer.concat([s.header, s.frames[1]!, s.frames[0]!, ...s.frames.slice(2)]), FileErrors.FrameOutOfOrder],
    ['a frame removed', (s) => Buffer.concat([s.header, s.frames[0]!, ...s.frames.slice(2)]), FileErrors.FrameOutOfOrder],
    ['a frame duplicated', (s) => Buffer.concat([s.header, s.frames[0]!, s.frames[1]!, s.frames[1]!, ...s.frames.slice(2)]), FileErrors.FrameDuplicated],
    ['a frame byte flipped', (s) => flip(s.bytes, s.header.length + FRAME_BYTES + 50), FileErrors.FrameTampered],
    ['a frame tag byte flipped', (s) => flip(s.bytes, s.header.length + 2 * FRAME_BYTES - 1), FileErrors.FrameTampered],
    [
      'a sequence number rewritten to the expected one',
      (s) => Buffer.concat([s.header, s.frames[0]!, s.frames[2]!.subarray(0, 3), Buffer.from([2]), s.frames[2]!.subarray(4), ...s.frames.slice(3)]),
      FileErrors.FrameTampered,
    ],
    ['the final frame length enlarged', (s) => flip(s.bytes, s.bytes.length - 16 - (s.frames.at(-1)!.length - 28) - 2), FileErrors.FrameTampered],
    ['data after the final frame', (s) => Buffer.concat([s.bytes, Buffer.from('more')]), FileErrors.TrailingData],
    ['the final frame duplicated', (s) => Buffer.concat([s.bytes, s.frames.at(-1)!]), FileErrors.TrailingData],
    ['the message id edited', (s) => flip(s.bytes, 10), FileErrors.HeaderTampered],
    ['the header tag edited', (s) => flip(s.bytes, s.header.length - 1), FileErrors.HeaderTampered],
    ['the wrapped data key edited', (s) => flip(s.bytes, s.header.length - 20), FileErrors.HeaderTampered],
    ['the key version in the keyring entry edited', (s) => flip(s.bytes, s.header.length - 16 - 60 - 2 - 1), FileErrors.HeaderTampered],
    ['the frame size edited (within bounds)', (s) => flip(s.bytes, 25), FileErrors.HeaderTampered],
    ['the context value edited', (s) => Buffer.from(s.bytes.toString('latin1').replace('"test"', '"tesT"'), 'latin1'), FileErrors.HeaderTampered],
    ['not an envelope', () => Buffer.from('hello, world'), FileErrors.NotEnvelope],
    ['an unknown version', (s) => withByte(s.bytes, 4, 2), FileErrors.Unsupported],
    ['an unknown suite', (s) => withByte(s.bytes, 5, 9), FileErrors.Unsupported],
    ['a frame size out of bounds', (s) => withByte(s.bytes, 22, 0x7f), FileErrors.HeaderOutOfBounds],
  ];

  for (const [name, make, code] of cases)
    for (const engine of ENGINES) {
      it(`${name} → ${code} (${engine})`, async () => {
        const s = await setup(5 * F + 77, 1, { purpose: 'test' }, engine);
        const parts = split(s.enc);
        const bad = variant(s.dir, 'bad.khe', make(parts));
        writeFileSync(s.out, 'previous contents');
        await expectCode(s.decrypt(bad), code);
        expect(readFileSync(s.out, 'utf8')).toBe('previous contents');
        expect(readdirSync(s.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      });
    }

  it('a wrong encryption context → FILE.0106; none given uses the stored one', async () => {
    const s = await setup(3 * F, 1, { purpose: 'test', tenant: 'a' });
    await expectCode(s.decrypt(s.enc, { context: { purpose: 'test', tenant: 'b' } }), FileErrors.WrongContext);
    await expectCode(s.decrypt(s.enc, { context: { purpose: 'test' } }), FileErrors.WrongContext);
    expect(existsSync(s.out)).toBe(false);
    await s.decrypt(s.enc, { context: { tenant: 'a', purpose: 'test' } });
    expect(readFileSync(s.out).equals(s.data)).toBe(true);
  });

  it('an empty file is not an envelope', async () => {
    const s = await setup(10);
    await expectCode(s.decrypt(variant(s.dir, 'empty', Buffer.alloc(0))), FileErrors.NotEnvelope);
  });
});

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = (c[at] as number) ^ 0x01;
  return c;
}

function withByte(b: Buffer, at: number, v: number): Buffer {
  const c = Buffer.from(b);
  c[at] = v;
  return c;
}

describe('keyrings', () => {
  it('encrypts to several CMKs; any one of them decrypts', async () => {
    const s = await setup(4 * F + 1, 3);
    expect(parseHeader(readFileSync(s.enc)).dataKeys.map((k) => k.entry)).toEqual(s.keyIds.map((keyId) => ({ type: 'local-cmk', keyId, keyVersion: 1 })));
    const records = s.keyIds.map((id) => s.ctx.store.read<CmkRecord>(CMK_TABLE, id)!);
    for (const keep of s.keyIds) {
      for (const id of s.keyIds) if (id !== keep) s.ctx.store.delete(CMK_TABLE, id);
      const d = await s.decrypt();
      expect(d.dataKey.entry.keyId).toBe(keep);
      expect(readFileSync(s.out).equals(s.data)).toBe(true);
      for (const r of records) s.ctx.store.put(CMK_TABLE, r.key_id, r);
    }
  });

  it('a file made before a rotation still decrypts (its entry names the key version)', async () => {
    const s = await setup(2 * F + 5);
    await rotateKey(s.ctx, s.ctx.store.read<CmkRecord>(CMK_TABLE, s.keyIds[0]!)!);
    const after = join(s.dir, 'after.khe');
    await encryptFile(s.plain, after, { keyrings: [localCmkKeyring(s.ctx, s.keyIds[0]!)], context: {}, ...small });
    expect(parseHeader(readFileSync(after)).dataKeys[0]!.entry).toMatchObject({ keyVersion: 2 });
    for (const file of [s.enc, after]) {
      await s.decrypt(file);
      expect(readFileSync(s.out).equals(s.data)).toBe(true);
    }
  });

  it('a vault holding none of the keys → FILE.0107', async () => {
    const s = await setup(100, 2);
    for (const id of s.keyIds) s.ctx.store.delete(CMK_TABLE, id);
    await expectCode(s.decrypt(), FileErrors.NoUsableKey);
  });

  it('a disabled key is refused with the KMS code, on encrypt and decrypt', async () => {
    const s = await setup(100, 1);
    const key = s.ctx.store.read<CmkRecord>(CMK_TABLE, s.keyIds[0]!)!;
    s.ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: '3' });
    await expectCode(s.decrypt(), 'KMS.0209');
    await expectCode(encryptFile(s.plain, join(s.dir, 'again'), { keyrings: [localCmkKeyring(s.ctx, key.key_id)], context: {} }), 'KMS.0209');
  });

  it('an unknown key on encrypt → KMS.0207, and no output', async () => {
    const { ctx } = await kmsWithKeys(0);
    const { dir, plain } = plainFile(10);
    await expectCode(encryptFile(plain, join(dir, 'e'), { keyrings: [localCmkKeyring(ctx, '00000000-0000-4000-8000-000000000000')], context: {} }), 'KMS.0207');
    expect(existsSync(join(dir, 'e'))).toBe(false);
  });
});

describe('cancellation and file errors', () => {
  it('an abort between batches stops with FILE.0301 and leaves nothing behind', async () => {
    const { ctx, keyIds } = await kmsWithKeys(1);
    const { dir, plain } = plainFile(20 * F);
    const controller = new AbortController();
    const p = encryptFile(plain, join(dir, 'e'), {
      keyrings: [localCmkKeyring(ctx, keyIds[0]!)],
      context: {},
      frameSize: F,
      batchBytes: F,
      hooks: { signal: controller.signal, onProgress: (pr) => pr.done >= 3 * F && controller.abort() },
    });
    await expectCode(p, FileErrors.Cancelled);
    expect(readdirSync(dir)).toEqual(['plain.bin']);
  });

  it('a missing input → FILE.0302; the same path for in and out → CLI.0002', async () => {
    const { ctx, keyIds } = await kmsWithKeys(1);
    const { dir, plain } = plainFile(1);
    const keyrings = [localCmkKeyring(ctx, keyIds[0]!)];
    await expectCode(encryptFile(join(dir, 'nope'), join(dir, 'e'), { keyrings, context: {} }), FileErrors.FileAccess);
    await expectCode(encryptFile(plain, plain, { keyrings, context: {} }), 'CLI.0002');
    await expectCode(encryptFile(plain, join(dir, 'no-such-dir', 'e'), { keyrings, context: {} }), FileErrors.FileAccess);
  });
});
