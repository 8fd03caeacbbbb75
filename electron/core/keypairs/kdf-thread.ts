/**
 * One worker thread for the key-file KDFs that have no asynchronous API, so that a request's
 * derivation never blocks the event loop (the server, the UI and every other call go on
 * answering while it runs):
 *
 * - OpenSSH's bcrypt_pbkdf: the `bcrypt-pbkdf` package is synchronous pure JavaScript;
 * - opening an encrypted PEM or PKCS#8 file: OpenSSL runs the file's KDF (PBKDF2, scrypt, PKCS#12
 *   PBE, EVP_BytesToKey) inside the synchronous `createPrivateKey`. The thread returns the key as
 *   unencrypted PKCS#8 DER, which the caller re-imports at no KDF cost.
 *
 * Argon2 (@node-rs/argon2's async API) and key generation (async `generateKeyPair`) already run on
 * libuv's thread pool and do not come here. Measured on the 2-core bench machine: the thread
 * starts in ~30 ms once per process, a call's round trip costs well under 1 ms, and bcrypt with 16
 * rounds takes ~220 ms there as on the main thread. Calls are served one at a time, so hostile
 * but legal files queue behind each other instead of taking every core; the bounds
 * (kdf-bounds.ts) keep each one to seconds.
 *
 * The worker's code is a string evaluated by the worker (`eval: true`), not a file beside this
 * one, so it survives every way Keyhold is run: tsx, the esbuild CLI bundle and the Electron main
 * bundle. It loads `bcrypt-pbkdf` from the path this module resolves, never by a bare name
 * resolved from the working directory. The thread is started on first use and does not keep the
 * process alive while idle.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey } = require('node:crypto');
const bcrypt = require(workerData.bcryptPbkdf);
function reply(id, bytes) {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  bytes.fill(0);
  parentPort.postMessage({ id, bytes: out }, [out.buffer]);
}
parentPort.on('message', (m) => {
  try {
    if (m.job === 'bcrypt') {
      const out = new Uint8Array(m.outputLen);
      if (bcrypt.pbkdf(m.pass, m.pass.length, m.salt, m.salt.length, out, m.outputLen, m.rounds) !== 0) throw new Error('bcrypt_pbkdf refused its parameters');
      m.pass.fill(0);
      reply(m.id, out);
    } else if (m.job === 'open-pem') {
      let der;
      try {
        der = createPrivateKey({ key: m.pem, format: 'pem', passphrase: m.passphrase }).export({ format: 'der', type: 'pkcs8' });
      } catch {
        parentPort.postMessage({ id: m.id, refused: true });
        return;
      } finally {
        m.passphrase.fill(0);
      }
      reply(m.id, der);
    } else {
      throw new Error('unknown job');
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message) });
  }
});
`;

type Job = { job: 'bcrypt'; pass: Uint8Array; salt: Uint8Array; rounds: number; outputLen: number } | { job: 'open-pem'; pem: string; passphrase: Uint8Array };

interface Reply {
  id: number;
  bytes?: Uint8Array;
  refused?: boolean;
  error?: string;
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

const pending = new Map<number, Pending>();
let worker: Worker | undefined;
let nextId = 0;

function threadFailed(why: string): KeyholdError {
  return new KeyholdError(LocalErrors.Internal, `The key-derivation thread failed: ${why}.`, 500);
}

function failAll(e: Error): void {
  for (const p of pending.values()) p.reject(e);
  pending.clear();
}

function start(): Worker {
  const bcryptPbkdf = createRequire(import.meta.url).resolve('bcrypt-pbkdf');
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPbkdf } });
  w.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (!pending.size) w.unref();
    p?.resolve(r);
  });
  w.on('error', (e) => failAll(threadFailed(e.message)));
  w.on('exit', () => {
    if (worker === w) worker = undefined;
    failAll(threadFailed('it exited'));
  });
  return w;
}

function call(job: Job, transfer: ArrayBuffer[]): Promise<Reply> {
  worker ??= start();
  const w = worker;
  w.ref();
  const id = nextId++;
  return new Promise<Reply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, ...job }, transfer);
  });
}

/** A copy of `b` in its own ArrayBuffer, which can be transferred without touching Node's pool. */
function own(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

/** The passphrase's UTF-8 bytes in their own ArrayBuffer; the intermediate copy is wiped. */
function passBytes(passphrase: string): Uint8Array {
  const b = Buffer.from(passphrase, 'utf8');
  const out = own(b);
  b.fill(0);
  return out;
}

function bytesOf(r: Reply): Buffer {
  if (r.error !== undefined || !r.bytes) throw threadFailed(r.error ?? 'no result');
  return Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
}

/** bcrypt_pbkdf (OpenSSH), off the event loop. The caller has bounded `rounds`. */
export async function bcryptPbkdfOffLoop(passphrase: string, salt: Buffer, rounds: number, outputLen: number): Promise<Buffer> {
  const pass = passBytes(passphrase);
  return bytesOf(await call({ job: 'bcrypt', pass, salt: own(salt), rounds, outputLen }, [pass.buffer as ArrayBuffer]));
}

/**
 * Opens an encrypted PEM/PKCS#8 file with OpenSSL off the event loop; the caller has bounded its
 * KDF. Returns the key as unencrypted PKCS#8 DER (the caller wipes it), or null when OpenSSL
 * refuses (a wrong passphrase, an altered or undecodable file).
 */
export async function openPemOffLoop(pem: string, passphrase: string): Promise<Buffer | null> {
  const pass = passBytes(passphrase);
  const r = await call({ job: 'open-pem', pem, passphrase: pass }, [pass.buffer as ArrayBuffer]);
  return r.refused ? null : bytesOf(r);
}
