// AES-256-GCM into caller buffers (crypto/gcm-into.ts): both engines, the native module
// (native/gcm) and node:crypto, against a published vector, against each other on random
// inputs, on forged input, and on arguments that do not fit — which must throw, never crash
// or touch memory outside the buffers given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkNativeModule,
  chooseGcmEngine,
  gcmInto,
  loadNativeModule,
  nativeGcmStatus,
  nativeModulePath,
  type GcmEngine,
  type NativeModule,
} from '../../../electron/core/crypto/gcm-into.js';
import { tempDir } from '../../helpers/vault.js';

const ENGINES: GcmEngine[] = ['native', 'node:crypto'];
const hex = (s: string) => Buffer.from(s, 'hex');

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test case 16 (AES-256, 60-byte
// plaintext, 20-byte AAD).
const CASE_16 = {
  key: hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308'),
  iv: hex('cafebabefacedbaddecaf888'),
  aad: hex('feedfacedeadbeeffeedfacedeadbeefabaddad2'),
  plain: hex('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39'),
  ct: hex('522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662'),
  tag: hex('76fc6ece0f4e1768cddf8853bb2d551b'),
};

// Test case 13: zero key and IV, nothing to encrypt or authenticate — a bare tag.
const CASE_13_TAG = hex('530f8afbc74536b9a963b4f1c4cb738b');

/** The module straight, past gcm-into.ts's typed wrapper. */
function rawModule(): NativeModule {
  const holder = { exports: {} as NativeModule };
  process.dlopen(holder, nativeGcmStatus().path!);
  return holder.exports;
}

describe('the native module and its loader', () => {
  it('is built and in use on this machine (npm ci builds it; without it file jobs run at about half speed)', () => {
    expect(nativeGcmStatus()).toMatchObject({ loaded: true });
    expect(chooseGcmEngine()).toBe('native');
  });

  it('KEYHOLD_FILE_CIPHER picks an engine, and an unknown value is an error naming it', () => {
    expect(chooseGcmEngine('auto')).toBe('native');
    expect(chooseGcmEngine('native')).toBe('native');
    expect(chooseGcmEngine('node:crypto')).toBe('node:crypto');
    expect(() => chooseGcmEngine('node')).toThrow(/KEYHOLD_FILE_CIPHER=node is not one of auto, native, node:crypto/);
  });

  it("is looked for only under Keyhold's own package root, never in a directory above it", () => {
    const top = tempDir('keyhold-gcm-root-');
    // A module planted above the app (e.g. /tmp above an AppImage's mount) must not be found.
    mkdirSync(join(top, 'native', 'gcm', 'build', 'Release'), { recursive: true });
    writeFileSync(join(top, 'native', 'gcm', 'build', 'Release', 'keyhold_gcm.node'), 'planted');
    const app = join(top, 'app');
    mkdirSync(join(app, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'keyhold' }));
    expect(nativeModulePath(join(app, 'dist', 'cli'))).toBe(join(app, 'native', 'gcm', 'build', 'Release', 'keyhold_gcm.node'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'someone-else' }));
    expect(nativeModulePath(join(app, 'dist', 'cli'))).toBeNull();
  });

  it('a missing file or one that is not a library is reported, not thrown', () => {
    const dir = tempDir('keyhold-gcm-');
    expect(loadNativeModule(join(dir, 'absent.node')).status).toMatchObject({ loaded: false, reason: expect.stringMatching(/not built/) });
    writeFileSync(join(dir, 'junk.node'), 'not a shared object');
    expect(loadNativeModule(join(dir, 'junk.node')).status).toMatchObject({ loaded: false, reason: expect.stringMatching(/did not load/) });
  });

  it('the check before use refuses a stale build, a wrong ciphertext and an opener that accepts a forged tag', () => {
    const real = rawModule();
    expect(checkNativeModule(real)).toBeNull();
    expect(checkNativeModule({ ...real, version: 0 })).toMatch(/another version/);
    // Wrong only from the second frame on: the context reuse the pipeline relies on is checked.
    let sealed = 0;
    const drifting: NativeModule = {
      ...real,
      seal: (ctx, iv, aad, plain, out, at) => (++sealed === 2 ? ((out[at] = 1), at + plain.length + 16) : real.seal(ctx, iv, aad, plain, out, at)),
    };
    expect(checkNativeModule(drifting)).toMatch(/differs from node:crypto/);
    const credulous: NativeModule = { ...real, open: (_ctx, _iv, _aad, ct, _tag, out, at) => at + ct.copy(out, at) };
    expect(checkNativeModule(credulous)).toMatch(/forged tag/);
    // A module that throws is reported, not thrown at the file job.
    expect(
      checkNativeModule({
        ...real,
        create: () => {
          throw new TypeError('not a function');
        },
      }),
    ).toMatch(/its check threw: not a function/);
  });
});

for (const engine of ENGINES) {
  describe(`${engine} engine`, () => {
    it('seals the published vector at an offset, leaving the bytes around it alone', () => {
      const g = gcmInto(CASE_16.key, 'seal', engine);
      const out = Buffer.alloc(5 + 60 + 16 + 7, 0xaa);
      expect(g.seal(CASE_16.iv, CASE_16.aad, CASE_16.plain, out, 5)).toBe(5 + 60 + 16);
      expect(out.subarray(5, 65)).toEqual(CASE_16.ct);
      expect(out.subarray(65, 81)).toEqual(CASE_16.tag);
      expect([...out.subarray(0, 5), ...out.subarray(81)].every((b) => b === 0xaa)).toBe(true);
      g.dispose();
    });

    it('opens the published vector, and refuses it with one bit changed anywhere, wiping what it wrote', () => {
      const g = gcmInto(CASE_16.key, 'open', engine);
      const out = Buffer.alloc(70);
      expect(g.open(CASE_16.iv, CASE_16.aad, CASE_16.ct, CASE_16.tag, out, 10)).toBe(70);
      expect(out.subarray(10)).toEqual(CASE_16.plain);
      for (const part of ['iv', 'aad', 'ct', 'tag'] as const) {
        const forged = { ...CASE_16, [part]: Buffer.from(CASE_16[part]) };
        forged[part][3]! ^= 0x10;
        const dirty = Buffer.alloc(70, 0xaa);
        expect(g.open(forged.iv, forged.aad, forged.ct, forged.tag, dirty, 10), part).toBeNull();
        expect(dirty.subarray(0, 10).every((b) => b === 0xaa) && dirty.subarray(10).every((b) => b === 0), part).toBe(true);
      }
      g.dispose();
    });

    it('an empty plaintext gives the published bare tag (case 13)', () => {
      const tag = Buffer.alloc(16);
      expect(gcmInto(Buffer.alloc(32), 'seal', engine).seal(Buffer.alloc(12), Buffer.alloc(0), Buffer.alloc(0), tag, 0)).toBe(16);
      expect(tag).toEqual(CASE_13_TAG);
    });

    it('an empty plaintext gives a GMAC tag, and an empty ciphertext checks one', () => {
      const tag = Buffer.alloc(16);
      gcmInto(CASE_16.key, 'seal', engine).seal(CASE_16.iv, CASE_16.aad, Buffer.alloc(0), tag, 0);
      const opener = gcmInto(CASE_16.key, 'open', engine);
      expect(opener.open(CASE_16.iv, CASE_16.aad, Buffer.alloc(0), tag, Buffer.alloc(0), 0)).toBe(0);
      tag[15]! ^= 1;
      expect(opener.open(CASE_16.iv, CASE_16.aad, Buffer.alloc(0), tag, Buffer.alloc(0), 0)).toBeNull();
    });

    it('throws on an output that does not fit, and writes nothing', () => {
      const g = gcmInto(CASE_16.key, 'seal', engine);
      for (const [size, at] of [
        [75, 0],
        [76, 1],
        [80, 81],
        [80, -1],
        [80, 0.5],
        [80, Number.NaN],
      ] as const) {
        const out = Buffer.alloc(size, 0xaa);
        expect(() => g.seal(CASE_16.iv, CASE_16.aad, CASE_16.plain, out, at), `${size}@${at}`).toThrow(RangeError);
        expect(out.every((b) => b === 0xaa)).toBe(true);
      }
      const opener = gcmInto(CASE_16.key, 'open', engine);
      expect(() => opener.open(CASE_16.iv, CASE_16.aad, CASE_16.ct, CASE_16.tag, Buffer.alloc(59), 0)).toThrow(RangeError);
    });

    it('a context only seals or only opens, and is unusable once disposed', () => {
      const sealer = gcmInto(CASE_16.key, 'seal', engine);
      const opener = gcmInto(CASE_16.key, 'open', engine);
      expect(() => sealer.open(CASE_16.iv, CASE_16.aad, CASE_16.ct, CASE_16.tag, Buffer.alloc(60), 0)).toThrow(/cannot open/);
      expect(() => opener.seal(CASE_16.iv, CASE_16.aad, CASE_16.plain, Buffer.alloc(76), 0)).toThrow(/cannot seal/);
      sealer.dispose();
      expect(() => sealer.seal(CASE_16.iv, CASE_16.aad, CASE_16.plain, Buffer.alloc(76), 0)).toThrow(/disposed/);
    });
  });
}

describe('native and node:crypto agree', () => {
  it('on random keys, IVs, AADs, lengths and offsets: same bytes sealed, each opens the other', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 70_000 }),
        fc.nat(40),
        (key, iv, aad, plain, at) => {
          const [k, i, a, p] = [key, iv, aad, plain].map((b) => Buffer.from(b)) as [Buffer, Buffer, Buffer, Buffer];
          const sealed = ENGINES.map((engine) => {
            const out = Buffer.alloc(at + p.length + 16);
            expect(gcmInto(k, 'seal', engine).seal(i, a, p, out, at)).toBe(out.length);
            return out.subarray(at);
          });
          expect(sealed[0]).toEqual(sealed[1]);
          for (const engine of ENGINES) {
            const back = Buffer.alloc(p.length);
            expect(gcmInto(k, 'open', engine).open(i, a, sealed[0]!.subarray(0, p.length), sealed[0]!.subarray(p.length), back, 0)).toBe(p.length);
            expect(back).toEqual(p);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with one context per engine reused for many messages (new IV and AAD each), as a file job uses it', () => {
    const key = Buffer.alloc(32, 9);
    const sealers = ENGINES.map((engine) => gcmInto(key, 'seal', engine));
    const openers = ENGINES.map((engine) => gcmInto(key, 'open', engine));
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 5000 }),
        fc.boolean(),
        (iv, aad, plain, forge) => {
          const [i, a, p] = [iv, aad, plain].map((b) => Buffer.from(b)) as [Buffer, Buffer, Buffer];
          const sealed = sealers.map((g) => {
            const out = Buffer.alloc(p.length + 16);
            g.seal(i, a, p, out, 0);
            return out;
          });
          expect(sealed[0]).toEqual(sealed[1]);
          const tag = Buffer.from(sealed[0]!.subarray(p.length));
          if (forge) tag[0]! ^= 1;
          for (const g of openers) expect(g.open(i, a, sealed[0]!.subarray(0, p.length), tag, Buffer.alloc(p.length), 0)).toBe(forge ? null : p.length);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('the native module on arguments JavaScript should never pass', () => {
  // Straight at the module, past gcm-into.ts's typed wrapper: the C code checks everything itself.
  const raw = () => rawModule() as unknown as Record<string, (...args: unknown[]) => unknown>;

  it('throws TypeError or RangeError, never crashes, on wrong types, foreign contexts and bad sizes', () => {
    const m = raw();
    const ctx = m.create!(Buffer.alloc(32), true);
    const opener = m.create!(Buffer.alloc(32), false);
    const iv = Buffer.alloc(12);
    const cases: [string, () => unknown, ErrorConstructor][] = [
      ['short key', () => m.create!(Buffer.alloc(31), true), RangeError],
      ['key not a buffer', () => m.create!('k'.repeat(32), true), TypeError],
      ['plain object as context', () => m.seal!({}, iv, iv, iv, Buffer.alloc(64), 0), TypeError],
      ['number as context', () => m.seal!(7, iv, iv, iv, Buffer.alloc(64), 0), TypeError],
      ['too few arguments', () => m.seal!(ctx, iv, iv), TypeError],
      ['iv of 16 bytes', () => m.seal!(ctx, Buffer.alloc(16), iv, iv, Buffer.alloc(64), 0), RangeError],
      ['string as plaintext', () => m.seal!(ctx, iv, iv, 'abc', Buffer.alloc(64), 0), TypeError],
      ['offset as string', () => m.seal!(ctx, iv, iv, iv, Buffer.alloc(64), '0'), RangeError],
      ['offset 2^53', () => m.seal!(ctx, iv, iv, iv, Buffer.alloc(64), 2 ** 53), RangeError],
      ['output one byte short', () => m.seal!(ctx, iv, iv, iv, Buffer.alloc(27), 0), RangeError],
      ['tag of 15 bytes', () => m.open!(opener, iv, iv, iv, Buffer.alloc(15), Buffer.alloc(64), 0), RangeError],
      ['offset NaN', () => m.seal!(ctx, iv, iv, iv, Buffer.alloc(64), Number.NaN), RangeError],
      ['a DataView as output', () => m.seal!(ctx, iv, iv, iv, new DataView(new ArrayBuffer(64)), 0), TypeError],
      ['a Float64Array as plaintext', () => m.seal!(ctx, iv, iv, new Float64Array(4), Buffer.alloc(64), 0), TypeError],
      // Another thread could change a shared ciphertext between OpenSSL's passes over it.
      [
        'a SharedArrayBuffer view as ciphertext',
        () => m.open!(opener, iv, iv, new Uint8Array(new SharedArrayBuffer(8)), Buffer.alloc(16), Buffer.alloc(64), 0),
        TypeError,
      ],
    ];
    for (const [name, call, type] of cases) expect(call, name).toThrow(type);
    const shared = Buffer.alloc(100);
    expect(() => m.seal!(ctx, iv, iv, shared.subarray(0, 50), shared, 10), 'overlapping plaintext and output').toThrow(RangeError);
    // In place (same first byte) is what OpenSSL supports, and it round-trips.
    const inPlace = Buffer.alloc(66, 7);
    expect(m.seal!(ctx, iv, iv, inPlace.subarray(0, 50), inPlace, 0)).toBe(66);
    m.dispose!(ctx);
    expect(() => m.seal!(ctx, iv, iv, iv, Buffer.alloc(64), 0)).toThrow(/disposed/);
  });

  it('opens even when the tag lies in the part of the output the plaintext overwrites', () => {
    const m = rawModule();
    const opener = m.create(CASE_16.key, false);
    // Ciphertext in its own buffer; the tag at the start of the output, where plaintext goes.
    const out = Buffer.concat([CASE_16.tag, Buffer.alloc(60)]);
    expect(m.open(opener, CASE_16.iv, CASE_16.aad, CASE_16.ct, out.subarray(0, 16), out, 0)).toBe(60);
    expect(out.subarray(0, 60)).toEqual(CASE_16.plain);
  });
});
