/**
 * The two passphrase KDFs of SSH key files: Argon2 (all three variants, PPK v3) through
 * @node-rs/argon2's async API (libuv's thread pool), and OpenSSH's bcrypt_pbkdf through the
 * `bcrypt-pbkdf` package that sshpk and ssh2 already depend on (pure JS; node:crypto has
 * neither), run on the KDF thread. Neither blocks the event loop. Callers bound the costs first
 * (kdf-bounds.ts).
 *
 * Key-file Argon2 derivations run one at a time, as the KDF thread's jobs do: a file may ask for
 * 256 MiB, and concurrent requests must not multiply that (three 1 GiB imports once took the
 * server to 1.25 GB), nor fill libuv's four threads that file I/O also needs.
 */
import { hashRaw, type Algorithm } from '@node-rs/argon2';
import { bcryptPbkdfOffLoop } from './kdf-thread.js';

export type Argon2Variant = 'Argon2d' | 'Argon2i' | 'Argon2id';

/** @node-rs/argon2 ships its Algorithm enum as a const enum, which isolated modules cannot read. */
const ALGORITHM: Record<Argon2Variant, Algorithm> = { Argon2d: 0 as Algorithm, Argon2i: 1 as Algorithm, Argon2id: 2 as Algorithm };

/** The last Argon2 derivation queued; the next one starts when it has settled. */
let argon2Tail: Promise<unknown> = Promise.resolve();

export async function argon2Raw(
  variant: Argon2Variant,
  passphrase: string,
  salt: Buffer,
  cost: { memoryKiB: number; passes: number; parallelism: number },
  outputLen: number,
): Promise<Buffer> {
  const run = argon2Tail.then(() =>
    hashRaw(Buffer.from(passphrase, 'utf8'), {
      algorithm: ALGORITHM[variant],
      memoryCost: cost.memoryKiB,
      timeCost: cost.passes,
      parallelism: cost.parallelism,
      outputLen,
      salt,
    }),
  );
  argon2Tail = run.catch(() => undefined);
  return run;
}

/** OpenSSH's bcrypt_pbkdf, on the KDF thread (kdf-thread.ts): the package has no async API. */
export async function bcryptPbkdf(passphrase: string, salt: Buffer, rounds: number, outputLen: number): Promise<Buffer> {
  return bcryptPbkdfOffLoop(passphrase, salt, rounds, outputLen);
}
