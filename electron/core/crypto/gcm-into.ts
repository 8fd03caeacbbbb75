/**
 * AES-256-GCM that writes into the caller's buffers, for the file pipeline's frames: one key,
 * many (IV, AAD, data) calls, outputs placed at an offset of a buffer the pipeline reuses.
 *
 * Two engines, one contract. `native` is native/gcm (keyhold_gcm.c): the same OpenSSL as
 * node:crypto through EVP, writing straight into `out`. `node:crypto` runs cipher.update over
 * 16 KiB slices and copies each output into `out`; it is the fallback wherever the module was
 * not built or cannot load (Electron's BoringSSL need not export the symbols it needs).
 * KEYHOLD_FILE_CIPHER=node:crypto forces the fallback; =native makes its absence an error.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
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

interface NativeModule {
  create(key: Buffer, seal: boolean): NativeContext;
  seal(ctx: NativeContext, iv: Buffer, aad: Buffer, plain: Buffer, out: Buffer, at: number): number;
  open(ctx: NativeContext, iv: Buffer, aad: Buffer, ct: Buffer, tag: Buffer, out: Buffer, at: number): number | null;
  dispose(ctx: NativeContext): void;
}

const MODULE_PATH = join('native', 'gcm', 'build', 'Release', 'keyhold_gcm.node');

/** This file runs from electron/core/crypto/, from a bundle in dist/, or from a packaged app: look upwards. */
function findModule(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)), up = 0; up < 6; up++, dir = dirname(dir)) {
    const candidate = join(dir, MODULE_PATH);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Seals and opens a random frame with both engines: the module is used only if they agree. */
function selfTest(native: NativeModule): string | null {
  const key = randomBytes(32);
  const iv = randomBytes(GCM_IV_BYTES);
  const aad = randomBytes(29);
  const plain = randomBytes(1000);
  const reference = Buffer.alloc(plain.length + GCM_TAG_BYTES);
  portable(key, true).seal(iv, aad, plain, reference, 0);
  const sealer = native.create(key, true);
  const opener = native.create(key, false);
  try {
    const out = Buffer.alloc(plain.length + GCM_TAG_BYTES + 3);
    if (native.seal(sealer, iv, aad, plain, out, 3) !== reference.length + 3 || !out.subarray(3).equals(reference)) return 'its ciphertext differs from node:crypto';
    const back = Buffer.alloc(plain.length);
    const ct = reference.subarray(0, plain.length);
    const tag = reference.subarray(plain.length);
    if (native.open(opener, iv, aad, ct, tag, back, 0) !== plain.length || !back.equals(plain)) return 'it does not open what node:crypto sealed';
    const forged = Buffer.from(tag);
    forged[0]! ^= 1;
    if (native.open(opener, iv, aad, ct, forged, back, 0) !== null || back.some((b) => b !== 0)) return 'it accepts a forged tag';
    return null;
  } finally {
    native.dispose(sealer);
    native.dispose(opener);
  }
}

export interface NativeGcmStatus {
  loaded: boolean;
  /** Where the module was found (when it was). */
  path?: string;
  /** Why it is not used (when it is not). */
  reason?: string;
}

let nativeState: { module: NativeModule | null; status: NativeGcmStatus } | undefined;

function loadNative(): { module: NativeModule | null; status: NativeGcmStatus } {
  if (nativeState) return nativeState;
  const path = findModule();
  if (!path) return (nativeState = { module: null, status: { loaded: false, reason: `${MODULE_PATH} was not built (npm run build:native)` } });
  try {
    const holder = { exports: {} as NativeModule };
    // RTLD_NOW: a symbol the host does not export fails here, not at a later call.
    process.dlopen(holder, path, constants.dlopen.RTLD_NOW);
    const reason = selfTest(holder.exports);
    nativeState = reason ? { module: null, status: { loaded: false, path, reason } } : { module: holder.exports, status: { loaded: true, path } };
  } catch (e) {
    nativeState = { module: null, status: { loaded: false, path, reason: `it did not load: ${(e as Error).message}` } };
  }
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

function updateInto(cipher: { update(data: Buffer): Buffer }, data: Buffer, out: Buffer, at: number): number {
  for (let i = 0; i < data.length; i += SLICE_BYTES) at += cipher.update(data.subarray(i, i + SLICE_BYTES)).copy(out, at);
  return at;
}

function fits(out: Buffer, at: number, length: number): void {
  if (!Number.isInteger(at) || at < 0 || at > out.length || out.length - at < length) throw new RangeError('The output does not fit in out at that offset.');
}

function portable(rawKey: Buffer, seal: boolean): GcmInto {
  let key: KeyObject | null = createSecretKey(Buffer.from(rawKey));
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
      const end = updateInto(c, plain, out, at);
      c.final();
      return end + c.getAuthTag().copy(out, end);
    },
    open(iv, aad, ct, tag, out, at) {
      if (seal) throw new Error('This GCM context seals, it cannot open.');
      fits(out, at, ct.length);
      const d = createDecipheriv('aes-256-gcm', live(), iv, { authTagLength: GCM_TAG_BYTES });
      d.setAAD(aad);
      d.setAuthTag(tag);
      const end = updateInto(d, ct, out, at);
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

/** The engine KEYHOLD_FILE_CIPHER asks for, else native when it loaded, else node:crypto. */
export function chooseGcmEngine(): GcmEngine {
  const wanted = process.env.KEYHOLD_FILE_CIPHER;
  if (wanted === 'node:crypto') return 'node:crypto';
  const { status } = loadNative();
  if (wanted === 'native' && !status.loaded) throw new Error(`KEYHOLD_FILE_CIPHER=native, but the native AES-GCM module is not usable: ${status.reason}.`);
  return status.loaded ? 'native' : 'node:crypto';
}

/**
 * A GCM context for `key` (32 bytes; the caller may wipe its copy afterwards) that either only
 * seals or only opens.
 */
export function gcmInto(key: Buffer, direction: 'seal' | 'open', engine: GcmEngine = chooseGcmEngine()): GcmInto {
  const module = engine === 'native' ? loadNative().module : null;
  if (engine === 'native' && !module) throw new Error(`The native AES-GCM module is not usable: ${nativeGcmStatus().reason}.`);
  return module ? native(module, key, direction === 'seal') : portable(key, direction === 'seal');
}
