/**
 * ECDSA over a digest the caller already computed (KMS sign/verify with message_type DIGEST).
 * node:crypto only signs messages it hashes itself, so this module does the ECDSA arithmetic
 * (SEC 1 §4.1) on the digest: the nonce point k·G comes from node:crypto's ECDH (OpenSSL's
 * constant-time scalar multiplication); the remaining mod-n arithmetic and the verifier's
 * point arithmetic use BigInt. Curve constants are the SEC 2 / FIPS 186 domain parameters
 * (copied from `openssl ecparam -param_enc explicit`; test/unit/crypto checks them).
 */
import { createECDH, type KeyObject } from 'node:crypto';
import { randomBytes } from './random.js';

export type CurveName = 'prime256v1' | 'secp384r1' | 'secp256k1';

interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
  n: bigint;
}

export const CURVES: Record<CurveName, Curve> = {
  prime256v1: {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  secp384r1: {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  secp256k1: {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0x0000000000000000000000000000000000000000000000000000000000000000n,
    b: 0x0000000000000000000000000000000000000000000000000000000000000007n,
    gx: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
    gy: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  },
};

const bytesOf = (c: Curve) => (c.n.toString(16).length + 1) >> 1;

function toBig(b: Uint8Array): bigint {
  return b.length ? BigInt(`0x${Buffer.from(b).toString('hex')}`) : 0n;
}

function toBytes(x: bigint, len: number): Buffer {
  return Buffer.from(x.toString(16).padStart(len * 2, '0'), 'hex');
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse by the extended Euclidean algorithm (m is prime, a is not 0 mod m). */
function inv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** The private scalar of each key, read once per KeyObject (the KeyObject holds it anyway). */
const scalars = new WeakMap<KeyObject, bigint>();
function scalarOf(key: KeyObject): bigint {
  let d = scalars.get(key);
  if (d === undefined) {
    d = toBig(Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url'));
    scalars.set(key, d);
  }
  return d;
}

/** The digest as an integer, keeping its leftmost bits when it is longer than n (SEC 1 §4.1.3 step 5). */
function digestInt(c: Curve, digest: Buffer): bigint {
  const nBits = c.n.toString(2).length;
  const e = toBig(digest);
  const extra = digest.length * 8 - nBits;
  return extra > 0 ? e >> BigInt(extra) : e;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }`, the form openssl and node:crypto use. */
function derSignature(r: bigint, s: bigint): Buffer {
  const int = (x: bigint) => {
    let h = x.toString(16);
    if (h.length % 2) h = `0${h}`;
    let b = Buffer.from(h, 'hex');
    if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** Parses a DER ECDSA signature strictly; anything else is null. */
function parseDerSignature(sig: Buffer): { r: bigint; s: bigint } | null {
  let off = 0;
  if (sig[off++] !== 0x30) return null;
  let len = sig[off++] ?? -1;
  if (len === 0x81) len = sig[off++] ?? -1;
  if (len < 0 || off + len !== sig.length) return null;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (sig[off++] !== 0x02) return null;
    const l = sig[off++] ?? 0;
    if (l === 0 || off + l > sig.length) return null;
    ints.push(toBig(sig.subarray(off, off + l)));
    off += l;
  }
  if (off !== sig.length) return null;
  return { r: ints[0] as bigint, s: ints[1] as bigint };
}

/** Signs `digest` with the EC private key (a node:crypto KeyObject). Returns a DER signature. */
export function ecdsaSignDigest(key: KeyObject, curve: CurveName, digest: Buffer): Buffer {
  const c = CURVES[curve];
  const len = bytesOf(c);
  const d = scalarOf(key);
  const e = digestInt(c, digest);
  // A fresh ECDH object per signature: the nonce must not outlive the call.
  const ecdh = createECDH(curve);
  for (;;) {
    // 64 extra random bits make the reduction mod n unbiased for practical purposes.
    const k = mod(toBig(randomBytes(len + 8)), c.n - 1n) + 1n;
    ecdh.setPrivateKey(toBytes(k, len));
    const point = ecdh.getPublicKey();
    const r = mod(toBig(point.subarray(1, 1 + len)), c.n);
    if (r === 0n) continue;
    const s = mod(inv(k, c.n) * (e + r * d), c.n);
    if (s === 0n) continue;
    return derSignature(r, s);
  }
}

type Jacobian = [bigint, bigint, bigint];
const INFINITY: Jacobian = [0n, 1n, 0n];

function double(c: Curve, [x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return INFINITY;
  const { p } = c;
  const y2 = (y * y) % p;
  const s = (4n * x * y2) % p;
  const z2 = (z * z) % p;
  const m = mod(3n * x * x + c.a * z2 * z2, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * y2 * y2, p);
  return [x3, y3, (2n * y * z) % p];
}

function add(c: Curve, a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const { p } = c;
  const z1z1 = (a[2] * a[2]) % p;
  const z2z2 = (b[2] * b[2]) % p;
  const u1 = (a[0] * z2z2) % p;
  const u2 = (b[0] * z1z1) % p;
  const s1 = (a[1] * b[2] * z2z2) % p;
  const s2 = (b[1] * a[2] * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(c, a) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = (h * h) % p;
  const h3 = (h2 * h) % p;
  const x3 = mod(r * r - h3 - 2n * u1 * h2, p);
  const y3 = mod(r * (u1 * h2 - x3) - s1 * h3, p);
  return [x3, y3, (h * a[2] * b[2]) % p];
}

/** u1·G + u2·Q by simultaneous double-and-add (public values only: no secret timing). */
function twoMul(c: Curve, u1: bigint, q: Jacobian, u2: bigint): Jacobian {
  const g: Jacobian = [c.gx, c.gy, 1n];
  const gq = add(c, g, q);
  let acc = INFINITY;
  for (let i = Math.max(u1.toString(2).length, u2.toString(2).length) - 1; i >= 0; i--) {
    acc = double(c, acc);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) acc = add(c, acc, gq);
    else if (b1) acc = add(c, acc, g);
    else if (b2) acc = add(c, acc, q);
  }
  return acc;
}

/** Verifies a DER signature over `digest` with an EC public key; malformed input is `false`. */
export function ecdsaVerifyDigest(key: KeyObject, curve: CurveName, digest: Buffer, signature: Buffer): boolean {
  const c = CURVES[curve];
  const parsed = parseDerSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const jwk = key.export({ format: 'jwk' });
  const q: Jacobian = [toBig(Buffer.from(jwk.x as string, 'base64url')), toBig(Buffer.from(jwk.y as string, 'base64url')), 1n];
  const w = inv(s, c.n);
  const e = digestInt(c, digest);
  const [x, , z] = twoMul(c, mod(e * w, c.n), q, mod(r * w, c.n));
  if (z === 0n) return false;
  const zi = inv(z, c.p);
  return mod(x * zi * zi, c.p) % c.n === r;
}
