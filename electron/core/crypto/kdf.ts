/** Argon2id password hashing (@node-rs/argon2, prebuilt N-API). */
import { hashRaw, type Algorithm } from '@node-rs/argon2';

/** Algorithm.Argon2id; the package ships it as a const enum, which isolated modules cannot read. */
const ARGON2ID = 2 as Algorithm;

export interface Argon2Params {
  /** Memory in KiB. */
  m: number;
  /** Passes. */
  t: number;
  /** Lanes. */
  p: number;
}

export async function argon2id(password: string | Buffer, salt: Buffer, params: Argon2Params, outputLen = 32): Promise<Buffer> {
  return hashRaw(password, {
    algorithm: ARGON2ID,
    memoryCost: params.m,
    timeCost: params.t,
    parallelism: params.p,
    outputLen,
    salt,
  });
}
