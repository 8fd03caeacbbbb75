/**
 * Argon2id cost: calibrated when a vault is created, stored in its header, and bounded when
 * read back, so a crafted header cannot ask for gigabytes of memory or hours of passes. Each
 * parameter has its range, and their product, the work (memory × passes), has its own bound:
 * 1 GiB and 64 passes are each allowed, but not together (minutes of unlock for a vault file
 * someone sent, `vault restore --in`). The bound is what calibration can produce at its most
 * (128 MiB × 64 passes = 8 GiB·passes, about 10 s here). Key files' KDFs have their own bounds
 * and errors (keypairs/); these are the vault header's, all VAULT.0103.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { argon2id, type Argon2Params } from '../crypto/kdf.js';
import { randomBytes } from '../crypto/random.js';

export const KDF_BOUNDS = {
  m: { min: 8 * 1024, max: 1024 * 1024 },
  t: { min: 1, max: 64 },
  p: { min: 1, max: 8 },
  saltBytes: { min: 16, max: 64 },
  /** m × t in KiB·passes: 8 GiB·passes. */
  work: { max: 8 * 1024 * 1024 },
} as const;

export interface StoredKdf extends Argon2Params {
  alg: 'argon2id';
  salt: string;
}

function inRange(v: unknown, r: { min: number; max: number }): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= r.min && v <= r.max;
}

/** Validates a header's KDF block before any work is done with it. */
export function checkKdf(raw: unknown): StoredKdf {
  const k = raw as Partial<StoredKdf> | null;
  const bad = (what: string) => new KeyholdError(LocalErrors.HeaderOutOfBounds, `Vault header rejected: ${what}.`, 500);
  if (!k || typeof k !== 'object' || k.alg !== 'argon2id') throw bad('unknown key-derivation algorithm');
  if (!inRange(k.m, KDF_BOUNDS.m)) throw bad(`Argon2 memory must be ${KDF_BOUNDS.m.min}-${KDF_BOUNDS.m.max} KiB`);
  if (!inRange(k.t, KDF_BOUNDS.t)) throw bad(`Argon2 passes must be ${KDF_BOUNDS.t.min}-${KDF_BOUNDS.t.max}`);
  if (!inRange(k.p, KDF_BOUNDS.p)) throw bad(`Argon2 lanes must be ${KDF_BOUNDS.p.min}-${KDF_BOUNDS.p.max}`);
  if (k.m * k.t > KDF_BOUNDS.work.max) {
    throw bad(
      `Argon2 work kdf.m × kdf.t = ${k.m} KiB × ${k.t} passes = ${k.m * k.t} KiB·passes exceeds the bound of ${KDF_BOUNDS.work.max} KiB·passes (8 GiB·passes)`,
    );
  }
  const salt = typeof k.salt === 'string' ? Buffer.from(k.salt, 'base64') : Buffer.alloc(0);
  if (salt.length < KDF_BOUNDS.saltBytes.min || salt.length > KDF_BOUNDS.saltBytes.max) throw bad('salt length out of bounds');
  return { alg: 'argon2id', m: k.m, t: k.t, p: k.p, salt: k.salt as string };
}

/**
 * Picks passes (and memory) so one derivation takes about `targetMs` here. Memory is 128 MiB
 * for interactive targets (the 0.5 s default); tiny targets, used by tests, drop to the floor.
 */
export async function calibrateKdf(targetMs: number): Promise<StoredKdf> {
  const salt = randomBytes(16);
  const m = targetMs >= 200 ? 128 * 1024 : KDF_BOUNDS.m.min;
  const probe = { m, t: 1, p: 1 };
  await argon2id('calibration', salt, probe);
  const started = performance.now();
  await argon2id('calibration', salt, probe);
  const perPass = Math.max(performance.now() - started, 0.1);
  const t = Math.min(KDF_BOUNDS.t.max, Math.floor(KDF_BOUNDS.work.max / m), Math.max(1, Math.round(targetMs / perPass)));
  return { alg: 'argon2id', m, t, p: 1, salt: salt.toString('base64') };
}

export async function deriveKek(password: string, kdf: StoredKdf): Promise<Buffer> {
  return argon2id(password, Buffer.from(kdf.salt, 'base64'), kdf);
}
