// The header codec: serialize→parse round trips for any valid header, and parse is total —
// random bytes, truncations and bit flips of a real header end in a header or a FILE.* error,
// never a crash, a hang or a huge allocation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOUNDS,
  encodeHeader,
  MAX_HEADER_BYTES,
  parseHeader,
  type EncryptedDataKey,
  type EnvelopeHeader,
  type KeyringEntry,
} from '../../../electron/core/envelope/format.js';
import { KeyholdError } from '../../../shared/errors.js';

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
const uuid = fc.tuple(hex(4), hex(2), hex(2), hex(2), hex(6)).map((p) => p.join('-'));
const short = fc.string({ maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= 255);

const entry: fc.Arbitrary<KeyringEntry> = fc.oneof(
  fc.record({ type: fc.constant('local-cmk' as const), keyId: uuid, keyVersion: fc.nat({ max: 0xffffffff }) }),
  fc.record({ type: fc.constant('remote-kms' as const), region: short, projectId: short, keyId: short }),
);
const edk: fc.Arbitrary<EncryptedDataKey> = fc.record({ entry, ciphertext: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) });
const header: fc.Arbitrary<EnvelopeHeader> = fc.record({
  messageId: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b)),
  frameSize: fc.integer({ min: BOUNDS.minFrameSize, max: BOUNDS.maxFrameSize }),
  context: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 8 }),
  dataKeys: fc.array(edk, { minLength: 1, maxLength: BOUNDS.maxDataKeys }),
});

function encode(h: EnvelopeHeader): Buffer {
  return Buffer.concat([encodeHeader(h).authenticated, Buffer.alloc(16, 0xaa)]);
}

/** Parse must end in a value or a typed FILE.* error. */
function total(bytes: Buffer): void {
  try {
    parseHeader(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(KeyholdError);
    expect((e as KeyholdError).code).toMatch(/^FILE\.0[12]\d\d$/);
  }
}

describe('envelope header codec', () => {
  it('serialize → parse is the identity for any valid header', () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), (h, frames) => {
        const bytes = encode(h);
        const parsed = parseHeader(Buffer.concat([bytes, frames]));
        expect(parsed.length).toBe(bytes.length);
        expect(parsed.frameSize).toBe(h.frameSize);
        expect(parsed.messageId.equals(h.messageId)).toBe(true);
        expect(parsed.context).toEqual(h.context);
        expect(parsed.dataKeys).toEqual(h.dataKeys);
        expect(parsed.length).toBeLessThanOrEqual(MAX_HEADER_BYTES);
      }),
      { numRuns: 300 },
    );
  });

  it('is total on random bytes, with and without the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (b, magic) =>
        total(Buffer.concat([magic ? Buffer.from('KHEF\x01\x01', 'latin1') : Buffer.alloc(0), b])),
      ),
      { numRuns: 1000 },
    );
  });

  it('is total on truncations and bit flips of valid headers', () => {
    fc.assert(
      fc.property(header, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), (h, cut, at, bit) => {
        const bytes = encode(h);
        total(bytes.subarray(0, cut % (bytes.length + 1)));
        const flipped = Buffer.from(bytes);
        flipped[at % bytes.length] = (flipped[at % bytes.length] as number) ^ (1 << bit);
        total(flipped);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses stored parameters out of bounds, with FILE.0103', () => {
    const h: EnvelopeHeader = {
      messageId: Buffer.alloc(16),
      frameSize: 4096,
      context: {},
      dataKeys: [{ entry: { type: 'local-cmk', keyId: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab', keyVersion: 1 }, ciphertext: Buffer.alloc(60) }],
    };
    const bytes = encode(h);
    const withU32 = (at: number, v: number) => {
      const c = Buffer.from(bytes);
      c.writeUInt32BE(v, at);
      return c;
    };
    const withU16 = (at: number, v: number) => {
      const c = Buffer.from(bytes);
      c.writeUInt16BE(v, at);
      return c;
    };
    const code = (b: Buffer) => {
      try {
        parseHeader(b);
        return 'parsed';
      } catch (e) {
        return (e as KeyholdError).code;
      }
    };
    expect(code(withU32(22, 0xffffffff))).toBe('FILE.0103'); // frame size 4 GiB
    expect(code(withU32(22, 16))).toBe('FILE.0103'); // frame size 16 bytes
    expect(code(withU16(26, 60000))).toBe('FILE.0103'); // context of 60000 bytes
    const zeroKeys = Buffer.from(bytes);
    zeroKeys[28] = 0;
    expect(code(zeroKeys)).toBe('FILE.0103');
    const manyKeys = Buffer.from(bytes);
    manyKeys[28] = 200;
    expect(code(manyKeys)).toBe('FILE.0103');
    expect(code(withU16(29 + 1, 5000))).toBe('FILE.0103'); // keyring entry of 5000 bytes
    expect(code(withU16(29 + 3 + 20, 5000))).toBe('FILE.0103'); // wrapped key of 5000 bytes
    // And encode refuses what parse would refuse.
    expect(() => encodeHeader({ ...h, frameSize: 17 })).toThrow(expect.objectContaining({ code: 'FILE.0103' }) as Error);
    expect(() => encodeHeader({ ...h, dataKeys: [] })).toThrow(expect.objectContaining({ code: 'FILE.0103' }) as Error);
    expect(() => encodeHeader({ ...h, context: { big: 'x'.repeat(9000) } })).toThrow(expect.objectContaining({ code: 'FILE.0103' }) as Error);
  });

  it('refuses a context that is not canonical (unsorted, duplicate keys, not pairs)', () => {
    const h: EnvelopeHeader = {
      messageId: Buffer.alloc(16),
      frameSize: 4096,
      context: { a: '1', b: '2' },
      dataKeys: [{ entry: { type: 'local-cmk', keyId: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab', keyVersion: 1 }, ciphertext: Buffer.alloc(60) }],
    };
    const good = encode(h);
    for (const ctx of ['[["b","2"],["a","1"]]', '[["a","1"],["a","1"]]', '{"a":"1","b":"2"}', '[["a",1],["b","2"]]', '[]']) {
      const padded = Buffer.from(ctx.padEnd(21, ' '));
      const bad = Buffer.from(good);
      padded.copy(bad, 28, 0, 21);
      expect(() => parseHeader(bad)).toThrow(expect.objectContaining({ code: 'FILE.0104' }) as Error);
    }
  });
});
