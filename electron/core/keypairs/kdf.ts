/**
 * The two passphrase KDFs of SSH key files: Argon2 (all three variants, PPK v3) through
 * @node-rs/argon2, and OpenSSH's bcrypt_pbkdf through the `bcrypt-pbkdf` package that sshpk and
 * ssh2 already depend on (pure JS; node:crypto has neither). Callers bound the costs first.
 */
import { createRequire } from 'node:module';
import { hashRaw, type Algorithm } from '@node-rs/argon2';

export type Argon2Variant = 'Argon2d' | 'Argon2i' | 'Argon2id';

/** @node-rs/argon2 ships its Algorithm enum as a const enum, which isolated modules cannot read. */
const ALGORITHM: Record<Argon2Variant, Algorithm> = { Argon2d: 0 as Algorithm, Argon2i: 1 as Algorithm, Argon2id: 2 as Algorithm };

export async function argon2Raw(variant: Argon2Variant, passphrase: string, salt: Buffer, cost: { memoryKiB: number; passes: number; parallelism: number }, outputLen: number): Promise<Buffer> {
  return hashRaw(Buffer.from(passphrase, 'utf8'), {
    algorithm: ALGORITHM[variant],
    memoryCost: cost.memoryKiB,
    timeCost: cost.passes,
    parallelism: cost.parallelism,
    outputLen,
    salt,
  });
}

interface BcryptPbkdf {
  pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number;
}
const bcrypt = createRequire(import.meta.url)('bcrypt-pbkdf') as BcryptPbkdf;

export function bcryptPbkdf(passphrase: string, salt: Buffer, rounds: number, outputLen: number): Buffer {
  const pass = Buffer.from(passphrase, 'utf8');
  const out = Buffer.alloc(outputLen);
  if (bcrypt.pbkdf(pass, pass.length, salt, salt.length, out, outputLen, rounds) !== 0) throw new Error('bcrypt_pbkdf refused its parameters');
  return out;
}
