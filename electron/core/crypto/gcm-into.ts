/**
 * AES-256-GCM that writes into the caller's buffers, for the file pipeline's frames: one key,
 * many (IV, AAD, data) calls, outputs placed at an offset of a buffer the pipeline reuses.
 *
 * Two engines, one contract. `native` is native/gcm (keyhold_gcm.c): the same OpenSSL as
 * node:crypto through EVP, writing straight into `out`. `node:crypto` runs cipher.update over
 * 16 KiB slices and copies each output into `out`; it is the fallback wherever the module was
 * not built, fails its check, or runs inside Electron (whose BoringSSL does not export the
 * symbols it needs). KEYHOLD_FILE_CIPHER=node:crypto forces the fallback, =native makes the
 * module's absence an error, auto (or unset) chooses; any other value is refused.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GCM_IV_BYTES, GCM_TAG_BYTES } from './aead.js';

export type GcmEngine = 'native' | 'node:crypto';

export interface GcmInto {
  readonly engine: GcmEngine;
  /** Writes ciphertext ‖ 16-byte tag of `plain` into `out` at `at`; returns the offset after the tag. */
  seal(iv: Buffer, aad: Buffer, plain: Buffer, out: Buffer, at: number): number;
  /**
   * Writes the plaintext of `ct` into `out` at `at`; returns the offset after it, or null when
   * the tag does not match, having wiped what it wrote.
   */
  open(iv: Buffer, aad: Buffer, ct: Buffer, tag: Buffer, out: Buffer, at: number): number | null;
  /** Frees the key schedule (calls after this throw). */
  dispose(): void;
}

interface NativeContext {
  readonly __brand: 'keyhold_gcm';
}

/** What native/gcm exports (keyhold_gcm.c). */
export interface NativeModule {
  version: number;
  create(key: Buffer, seal: boolean): NativeContext;
  seal(ctx: NativeContext, iv: Buffer, aad: Buffer, plain: Buffer, out: Buffer, at: number): number;
  open(ctx: NativeContext, iv: Buffer, aad: Buffer, ct: Buffer, tag: Buffer, out: Buffer, at: number): number | null;
  dispose(ctx: NativeContext): void;
}

/** keyhold_gcm.c's MODULE_VERSION this code was written against. */
const NATIVE_VERSION = 1;
const MODULE_PATH = join('native', 'gcm', 'build', 'Release', 'keyhold_gcm.node');

/**
 * The one place the module may be: under Keyhold's own package root, the nearest package.json
 * above this file (electron/core/crypto/ in a checkout, dist/… in a bundle, app.asar/dist/… in
 * the packaged app). Never a search further up: a shared library runs code the moment it is
 * loaded, so a file planted in some parent directory must never be picked up.
 */
export function nativeModulePath(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
      return name === 'keyhold' ? join(dir, MODULE_PATH) : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Checks a loaded module against node:crypto the way the pipeline uses it: one context sealing
 * three frames in turn (a new IV and AAD each; the second empty, as a header tag is), and one
 * opener refusing a forged tag for each, wiping, and then opening the real one. Returns why it is
 * not fit to use, or null.
 */
export function checkNativeModule(native: NativeModule): string | null {
  if (native.version !== NATIVE_VERSION)
    return `it is a build of another version (${String(native.version)}, expected ${NATIVE_VERSION}): run npm run build:native`;
  const key = randomBytes(32);
  const frames = [randomBytes(1000), Buffer.alloc(0), randomBytes(333)].map((plain) => ({ iv: randomBytes(GCM_IV_BYTES), aad: randomBytes(29), plain }));
  const reference = portable(key, true);
  const expected = frames.map((f) => {
    const out = Buffer.alloc(f.plain.length + GCM_TAG_BYTES);
    reference.seal(f.iv, f.aad, f.plain, out, 0);
    return out;
  });
  const contexts: NativeContext[] = [];
  try {
    const sealer = native.create(key, true);
    contexts.push(sealer);
    const opener = native.create(key, false);
    contexts.push(opener);
    for (const [i, f] of frames.entries()) {
      const out = Buffer.alloc(f.plain.length + GCM_TAG_BYTES + 3);
      if (native.seal(sealer, f.iv, f.aad, f.plain, out, 3) !== out.length || !out.subarray(3).equals(expected[i]!))
        return 'its ciphertext differs from node:crypto';
    }
    for (const [i, f] of frames.entries()) {
      const ct = expected[i]!.subarray(0, f.plain.length);
      const tag = expected[i]!.subarray(f.plain.length);
      const back = Buffer.alloc(f.plain.length);
      const forged = Buffer.from(tag);
      forged[0]! ^= 1;
      if (native.open(opener, f.iv, f.aad, ct, forged, back, 0) !== null || back.some((b) => b !== 0)) return 'it accepts a forged tag';
      if (native.open(opener, f.iv, f.aad, ct, tag, back, 0) !== f.plain.length || !back.equals(f.plain)) return 'it does not open what node:crypto sealed';
    }
    return null;
  } catch (e) {
    return `its check threw: ${(e as Error).message}`;
  } finally {
    for (const ctx of contexts) native.dispose(ctx);
  }
}

export interface NativeGcmStatus {
  loaded: boolean;
  /** Where the module was looked for. */
  path?: string;
  /** Why it is not used (when it is not). */
  reason?: string;
}

/**
 * Loads and checks the module at `path`. RTLD_NOW: on Linux and macOS a symbol the host does not
 * export fails here, not at a later call.
 */
export function loadNativeModule(path: string): { module: NativeModule | null; status: NativeGcmStatus } {
  if (!existsSync(path)) return { module: null, status: { loaded: false, path, reason: 'it was not built (npm run build:native)' } };
  let exports: NativeModule;
  try {
    const holder = { exports: {} as NativeModule };
    process.dlopen(holder, path, constants.dlopen.RTLD_NOW);
    exports = holder.exports;
  } catch (e) {
    return { module: null, status: { loaded: false, path, reason: `it did not load: ${(e as Error).message.split('\n')[0]}` } };
  }
  const reason = checkNativeModule(exports);
  return reason ? { module: null, status: { loaded: false, path, reason } } : { module: exports, status: { loaded: true, path } };
}

let nativeState: { module: NativeModule | null; status: NativeGcmStatus } | undefined;

function loadNative(): { module: NativeModule | null; status: NativeGcmStatus } {
  if (nativeState) return nativeState;
  if (process.versions.electron) {
    // Electron's BoringSSL does not export the OpenSSL symbols the module calls, and on Windows
    // (delay-loaded imports) a missing one would crash at the first call rather than fail the load.
    return (nativeState = { module: null, status: { loaded: false, reason: "not used in Electron, whose BoringSSL does not export OpenSSL's symbols" } });
  }
  const path = nativeModulePath();
  nativeState = path ? loadNativeModule(path) : { module: null, status: { loaded: false, reason: "Keyhold's package root was not found above this file" } };
  return nativeState;
}

/** Whether file envelopes run on the native module here, and if not, why. */
export function nativeGcmStatus(): NativeGcmStatus {
  return loadNative().status;
}

function native(module: NativeModule, key: Buffer, seal: boolean): GcmInto {
  const ctx = module.create(key, seal);
  return {
    engine: 'native',
    seal: (iv, aad, plain, out, at) => module.seal(ctx, iv, aad, plain, out, at),
    open: (iv, aad, ct, tag, out, at) => module.open(ctx, iv, aad, ct, tag, out, at),
    dispose: () => module.dispose(ctx),
  };
}

/**
 * node:crypto allocates a fresh output per update; at 16 KiB glibc serves them from reused heap
 * chunks, where 256 KiB outputs were fresh zeroed pages every time (1 GiB: 257 k page faults vs
 * 14 k), and the copy is made while the slice is still in the CPU's cache.
 */
const SLICE_BYTES = 16 * 1024;

/** Runs `data` through `cipher` into `out` at `at`; `wipe` zeroes each slice's own output after the copy (it held plaintext). */
function updateInto(cipher: { update(data: Buffer): Buffer }, data: Buffer, out: Buffer, at: number, wipe: boolean): number {
  for (let i = 0; i < data.length; i += SLICE_BYTES) {
    const part = cipher.update(data.subarray(i, i + SLICE_BYTES));
    at += part.copy(out, at);
    if (wipe) part.fill(0);
  }
  return at;
}

function fits(out: Buffer, at: number, length: number): void {
  if (!Number.isInteger(at) || at < 0 || at > out.length || out.length - at < length) throw new RangeError('The output does not fit in out at that offset.');
}

function portable(rawKey: Buffer, seal: boolean): GcmInto {
  // createSecretKey copies the bytes into the KeyObject; no other copy is made.
  let key: KeyObject | null = createSecretKey(rawKey);
  const live = (): KeyObject => {
    if (!key) throw new Error('The GCM context was disposed.');
    return key;
  };
  return {
    engine: 'node:crypto',
    seal(iv, aad, plain, out, at) {
      if (!seal) throw new Error('This GCM context opens, it cannot seal.');
      fits(out, at, plain.length + GCM_TAG_BYTES);
      const c = createCipheriv('aes-256-gcm', live(), iv, { authTagLength: GCM_TAG_BYTES });
      c.setAAD(aad);
      const end = updateInto(c, plain, out, at, false);
      c.final();
      return end + c.getAuthTag().copy(out, end);
    },
    open(iv, aad, ct, tag, out, at) {
      if (seal) throw new Error('This GCM context seals, it cannot open.');
      fits(out, at, ct.length);
      const d = createDecipheriv('aes-256-gcm', live(), iv, { authTagLength: GCM_TAG_BYTES });
      d.setAAD(aad);
      d.setAuthTag(tag);
      const end = updateInto(d, ct, out, at, true);
      try {
        d.final();
        return end;
      } catch {
        out.fill(0, at, end);
        return null;
      }
    },
    dispose() {
      key = null;
    },
  };
}

const ENGINE_CHOICES = ['auto', 'native', 'node:crypto'] as const;

/** The engine KEYHOLD_FILE_CIPHER asks for (auto when unset): native when it loaded, else node:crypto. */
export function chooseGcmEngine(wanted: string = process.env.KEYHOLD_FILE_CIPHER || 'auto'): GcmEngine {
  if (!(ENGINE_CHOICES as readonly string[]).includes(wanted)) {
    throw new Error(`KEYHOLD_FILE_CIPHER=${wanted} is not one of ${ENGINE_CHOICES.join(', ')}.`);
  }
  if (wanted === 'node:crypto') return 'node:crypto';
  const { status } = loadNative();
  if (wanted === 'native' && !status.loaded) throw new Error(`KEYHOLD_FILE_CIPHER=native, but the native AES-GCM module is not usable: ${status.reason}.`);
  return status.loaded ? 'native' : 'node:crypto';
}

/**
 * A GCM context for `key` (32 bytes; the caller may wipe its copy afterwards) that either only
 * seals or only opens, on `engine` (chooseGcmEngine's pick, or one a test pins).
 */
export function gcmInto(key: Buffer, direction: 'seal' | 'open', engine: GcmEngine): GcmInto {
  const module = engine === 'native' ? loadNative().module : null;
  if (engine === 'native' && !module) throw new Error(`The native AES-GCM module is not usable: ${nativeGcmStatus().reason}.`);
  return module ? native(module, key, direction === 'seal') : portable(key, direction === 'seal');
}
