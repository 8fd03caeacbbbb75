/**
 * The work bounds of every passphrase KDF a key file can ask for, in one place. A key file is
 * outside input: its header chooses the cost of the derivation Keyhold runs on a request, so each
 * cost is read and checked here before anything is derived or allocated, and a file asking for
 * more is refused with a `KdfBoundError` naming the parameter and the bound.
 *
 * The bounds are costs, not just ranges per field: scrypt's N·r·p and 128·r·(N+p+2) bytes, Argon2's
 * memory × passes, bcrypt's rounds, PBKDF2's iterations. Each leaves real tools' defaults far
 * inside (numbers and timings in docs/key-formats.md) and stops at a few seconds of one core.
 */
import { KpsErrors } from './errors.js';
import { KeyholdError } from '../../../shared/errors.js';

export const KDF_BOUNDS = {
  /** PKCS#8 PBES2/PBKDF2 and PKCS#12/PBES1 iterations; `openssl pkcs8` writes 2048, OWASP asks 600,000 for SHA-256. */
  iterations: 2_000_000,
  scrypt: {
    /** N·r·p, the BlockMix work: 32 × `openssl pkcs8 -scrypt`'s 16384·8·1, about 1 s here. */
    work: 4 * 1024 * 1024,
    /**
     * 128·r·(N + p + 2) bytes: OpenSSL's own limit when it opens a PKCS#8 file (32 MiB, its
     * SCRYPT_MAX_MEM), checked here so such a file is named as too costly, not as a wrong passphrase.
     */
    memoryBytes: 32 * 1024 * 1024,
    /** Parallel lanes; OpenSSL, Python and Go write 1. */
    p: 64,
  },
  /** OpenSSH bcrypt_pbkdf rounds: ssh-keygen writes 16, `-a 100` is common advice. */
  bcryptRounds: 256,
  argon2: {
    /** Memory in KiB: PuTTYgen writes 8192. */
    memoryKiB: 256 * 1024,
    /** Passes alone, and memory × passes in KiB·passes (1 GiB of memory traffic). */
    passes: 1000,
    work: 1024 * 1024,
    /** Lanes: PuTTYgen writes 1. */
    parallelism: 16,
  },
} as const;

/** A KDF cost in a key file beyond its bound: refused before deriving anything (KPS.1005). */
export class KdfBoundError extends KeyholdError {
  constructor(
    readonly format: string,
    /** The file's parameter (or product of parameters) as the message names it: `scrypt N·r·p`. */
    readonly parameter: string,
    readonly value: number,
    readonly bound: number,
  ) {
    super(KpsErrors.KdfOutOfBounds, `${format}: ${parameter} ${value} is beyond Keyhold's bound of ${bound}; refused before deriving anything.`, 400);
  }
}

/** Throws a KdfBoundError when `value` exceeds `bound`. */
export function atMost(format: string, parameter: string, value: number, bound: number): void {
  if (value > bound) throw new KdfBoundError(format, parameter, value, bound);
}

/** A parameter that must be at least 1 (0 passes or 0 lanes): malformed rather than costly. */
function positive(format: string, parameter: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new KeyholdError(KpsErrors.Malformed, `${format}: ${parameter} ${value} must be at least 1.`, 400);
}

export function checkIterations(format: string, parameter: string, iterations: number): void {
  positive(format, parameter, iterations);
  atMost(format, parameter, iterations, KDF_BOUNDS.iterations);
}

export function checkScrypt(format: string, n: number, r: number, p: number): void {
  positive(format, 'scrypt N', n);
  positive(format, 'scrypt r', r);
  positive(format, 'scrypt p', p);
  const b = KDF_BOUNDS.scrypt;
  atMost(format, 'scrypt p', p, b.p);
  atMost(format, 'scrypt memory 128·r·(N+p+2) (bytes)', 128 * r * (n + p + 2), b.memoryBytes);
  atMost(format, 'scrypt N·r·p', n * r * p, b.work);
}

export function checkBcryptRounds(format: string, rounds: number): void {
  positive(format, 'bcrypt rounds', rounds);
  atMost(format, 'bcrypt rounds', rounds, KDF_BOUNDS.bcryptRounds);
}

export function checkArgon2(format: string, cost: { memoryKiB: number; passes: number; parallelism: number }): void {
  positive(format, 'Argon2-Memory', cost.memoryKiB);
  positive(format, 'Argon2-Passes', cost.passes);
  positive(format, 'Argon2-Parallelism', cost.parallelism);
  const b = KDF_BOUNDS.argon2;
  atMost(format, 'Argon2-Parallelism', cost.parallelism, b.parallelism);
  atMost(format, 'Argon2-Memory (KiB)', cost.memoryKiB, b.memoryKiB);
  atMost(format, 'Argon2-Passes', cost.passes, b.passes);
  atMost(format, 'Argon2 memory × passes (KiB)', cost.memoryKiB * cost.passes, b.work);
}
