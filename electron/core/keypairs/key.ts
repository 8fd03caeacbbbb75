/**
 * The key model every codec converts to and from: an SSH public key (the RFC 4253 blob's
 * fields) and, when known, its private half, as unsigned big-endian magnitudes. Also the blob,
 * fingerprints and sizes as ssh-keygen prints them, and the bridge to node:crypto KeyObjects.
 */
import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { DerReader, int, octets, oid, seq } from './der.js';
import { KpsErrors, kpsError, malformed } from './errors.js';
import { fromBigInt, toBigInt, WireReader, WireWriter } from './wire.js';

export const EC_CURVES = {
  nistp256: { type: 'ecdsa-sha2-nistp256', jwk: 'P-256', node: 'prime256v1', bytes: 32, bits: 256 },
  nistp384: { type: 'ecdsa-sha2-nistp384', jwk: 'P-384', node: 'secp384r1', bytes: 48, bits: 384 },
  nistp521: { type: 'ecdsa-sha2-nistp521', jwk: 'P-521', node: 'secp521r1', bytes: 66, bits: 521 },
} as const;
export type EcCurve = keyof typeof EC_CURVES;

export const KEY_TYPES = ['ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface RsaPublic {
  type: 'ssh-rsa';
  e: Buffer;
  n: Buffer;
}
export interface DsaPublic {
  type: 'ssh-dss';
  p: Buffer;
  q: Buffer;
  g: Buffer;
  y: Buffer;
}
export interface EcdsaPublic {
  type: `ecdsa-sha2-${EcCurve}`;
  curve: EcCurve;
  Q: Buffer;
}
export interface Ed25519Public {
  type: 'ssh-ed25519';
  A: Buffer;
}
export type PublicKey = RsaPublic | DsaPublic | EcdsaPublic | Ed25519Public;

export interface RsaPrivate extends RsaPublic {
  d: Buffer;
  p: Buffer;
  q: Buffer;
  iqmp: Buffer;
}
export interface DsaPrivate extends DsaPublic {
  x: Buffer;
}
export interface EcdsaPrivate extends EcdsaPublic {
  d: Buffer;
}
export interface Ed25519Private extends Ed25519Public {
  seed: Buffer;
}
export type PrivateKey = RsaPrivate | DsaPrivate | EcdsaPrivate | Ed25519Private;

/** RSA below this is refused on read (reference: "read any size ≥ 1024"). */
export const MIN_RSA_BITS = 1024;
export const MAX_RSA_BITS = 16384;

export function isKeyType(s: string): s is KeyType {
  return (KEY_TYPES as readonly string[]).includes(s);
}

export function curveOf(type: string): EcCurve | undefined {
  return (Object.keys(EC_CURVES) as EcCurve[]).find((c) => EC_CURVES[c].type === type);
}

function bitLength(magnitude: Buffer): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i] as number));
}

/** Key size as ssh-keygen -l prints it (Ed25519: 256). */
export function keyBits(k: PublicKey): number {
  switch (k.type) {
    case 'ssh-rsa':
      return bitLength(k.n);
    case 'ssh-dss':
      return bitLength(k.p);
    case 'ssh-ed25519':
      return 256;
    default:
      return EC_CURVES[k.curve].bits;
  }
}

export function publicBlob(k: PublicKey): Buffer {
  const w = new WireWriter().string(k.type);
  switch (k.type) {
    case 'ssh-rsa':
      return w.mpint(k.e).mpint(k.n).toBuffer();
    case 'ssh-dss':
      return w.mpint(k.p).mpint(k.q).mpint(k.g).mpint(k.y).toBuffer();
    case 'ssh-ed25519':
      return w.string(k.A).toBuffer();
    default:
      return w.string(k.curve).string(k.Q).toBuffer();
  }
}

export function publicOf(k: PrivateKey): PublicKey {
  switch (k.type) {
    case 'ssh-rsa':
      return { type: k.type, e: k.e, n: k.n };
    case 'ssh-dss':
      return { type: k.type, p: k.p, q: k.q, g: k.g, y: k.y };
    case 'ssh-ed25519':
      return { type: k.type, A: k.A };
    default:
      return { type: k.type, curve: k.curve, Q: k.Q };
  }
}

/** Checks sizes a real key of the type must have; shared by every reader. */
export function checkPublic(k: PublicKey, format: string): PublicKey {
  const bad = (why: string): never => {
    throw malformed(format, 'public key', undefined, why);
  };
  switch (k.type) {
    case 'ssh-rsa': {
      const bits = bitLength(k.n);
      if (bits < MIN_RSA_BITS) throw kpsError(KpsErrors.Unsupported, `${format}: RSA keys of ${bits} bits are too small (at least ${MIN_RSA_BITS}).`);
      if (bits > MAX_RSA_BITS) bad(`RSA modulus of ${bits} bits is too large`);
      if (k.e.length === 0 || k.e.length > 8 || !(((k.e[k.e.length - 1] as number) & 1) === 1)) bad('bad RSA exponent');
      break;
    }
    case 'ssh-dss':
      if (bitLength(k.p) < 512 || bitLength(k.p) > 4096 || bitLength(k.q) > 512) bad('bad DSA parameters');
      break;
    case 'ssh-ed25519':
      if (k.A.length !== 32) bad('Ed25519 public key must be 32 bytes');
      break;
    default: {
      const size = EC_CURVES[k.curve].bytes;
      if (k.Q.length !== 1 + 2 * size || k.Q[0] !== 0x04) bad(`ECDSA point must be uncompressed, ${1 + 2 * size} bytes`);
    }
  }
  return k;
}

/** Reads the fields after the name of a public blob (or of an OpenSSH private entry). */
export function readPublicFields(r: WireReader, type: string, format: string): PublicKey {
  if (type === 'ssh-rsa') return { type, e: r.mpint('RSA e'), n: r.mpint('RSA n') };
  if (type === 'ssh-dss') return { type, p: r.mpint('DSA p'), q: r.mpint('DSA q'), g: r.mpint('DSA g'), y: r.mpint('DSA y') };
  if (type === 'ssh-ed25519') return { type, A: r.string('Ed25519 public key') };
  const curve = curveOf(type);
  if (curve) {
    const named = r.name('ECDSA curve name');
    if (named !== curve) r.fail('ECDSA curve name', `${named} does not match ${type}`);
    return { type: EC_CURVES[curve].type, curve, Q: r.string('ECDSA point') };
  }
  throw unsupportedType(format, type);
}

export function unsupportedType(format: string, type: string): Error {
  const what = type.includes('-cert-')
    ? 'certificates are not supported'
    : type === 'ssh-ed448'
      ? 'Ed448 is not supported (node:crypto in Electron has no Ed448)'
      : `key type ${JSON.stringify(type.slice(0, 64))} is not supported`;
  return kpsError(KpsErrors.Unsupported, `${format}: ${what}.`);
}

export function parsePublicBlob(blob: Buffer, format: string, base = 0): PublicKey {
  const r = new WireReader(blob, format, base);
  const type = r.name('key type');
  const k = readPublicFields(r, type, format);
  if (r.remaining) r.fail('public key', 'trailing bytes');
  return checkPublic(k, format);
}

export function sameBlob(a: PublicKey, b: PublicKey): boolean {
  return publicBlob(a).equals(publicBlob(b));
}

/** `SHA256:` + unpadded base64, exactly as ssh-keygen -l prints it. */
export function sha256Fingerprint(k: PublicKey): string {
  return `SHA256:${createHash('sha256').update(publicBlob(k)).digest('base64').replace(/=+$/, '')}`;
}

/** `MD5:` + colon-separated lowercase hex, exactly as ssh-keygen -l -E md5 prints it. */
export function md5Fingerprint(k: PublicKey): string {
  return `MD5:${(createHash('md5').update(publicBlob(k)).digest('hex').match(/../g) ?? []).join(':')}`;
}

export function openSshLine(k: PublicKey, comment: string): string {
  const line = `${k.type} ${publicBlob(k).toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

// ---- node:crypto bridge -------------------------------------------------------------------

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const DSA_OID = '1.2.840.10040.4.1';
const b64u = (b: Buffer) => b.toString('base64url');

function pad(b: Buffer, n: number): Buffer {
  return b.length >= n ? b : Buffer.concat([Buffer.alloc(n - b.length), b]);
}

/** PKCS#8 DER of a DSA key, built by hand: node:crypto imports it but cannot take components. */
export function dsaPkcs8(k: DsaPrivate): Buffer {
  return seq(int(Buffer.alloc(1)), seq(oid(DSA_OID), seq(int(k.p), int(k.q), int(k.g))), octets(int(k.x)));
}

/** The traditional `DSA PRIVATE KEY` structure (OpenSSL's DSAPrivateKey). */
export function dsaTraditional(k: DsaPrivate): Buffer {
  return seq(int(Buffer.alloc(1)), int(k.p), int(k.q), int(k.g), int(k.y), int(k.x));
}

export function toKeyObject(k: PrivateKey): KeyObject {
  switch (k.type) {
    case 'ssh-rsa': {
      const d = toBigInt(k.d);
      const dp = d % (toBigInt(k.p) - 1n);
      const dq = d % (toBigInt(k.q) - 1n);
      return createPrivateKey({
        key: {
          kty: 'RSA',
          n: b64u(k.n),
          e: b64u(k.e),
          d: b64u(k.d),
          p: b64u(k.p),
          q: b64u(k.q),
          dp: b64u(fromBigInt(dp)),
          dq: b64u(fromBigInt(dq)),
          qi: b64u(k.iqmp),
        },
        format: 'jwk',
      });
    }
    case 'ssh-dss':
      return createPrivateKey({ key: dsaPkcs8(k), format: 'der', type: 'pkcs8' });
    case 'ssh-ed25519':
      return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, k.seed]), format: 'der', type: 'pkcs8' });
    default: {
      const c = EC_CURVES[k.curve];
      const x = k.Q.subarray(1, 1 + c.bytes);
      const y = k.Q.subarray(1 + c.bytes);
      return createPrivateKey({ key: { kty: 'EC', crv: c.jwk, x: b64u(x), y: b64u(y), d: b64u(pad(k.d, c.bytes)) }, format: 'jwk' });
    }
  }
}

interface Jwk {
  kty?: string;
  crv?: string;
  n?: string;
  e?: string;
  d?: string;
  p?: string;
  q?: string;
  qi?: string;
  x?: string;
  y?: string;
}

function fromB64u(s: string | undefined): Buffer {
  const b = Buffer.from(s ?? '', 'base64url');
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Components of a node:crypto private key (read from PEM or PKCS#8, or just generated). */
export function fromKeyObject(ko: KeyObject, format: string): PrivateKey {
  const type = ko.asymmetricKeyType;
  if (type === 'dsa') return dsaFromPkcs8(ko.export({ format: 'der', type: 'pkcs8' }), format);
  if (type !== 'rsa' && type !== 'ec' && type !== 'ed25519') throw unsupportedType(format, String(type));
  const jwk = ko.export({ format: 'jwk' }) as Jwk;
  if (type === 'rsa') {
    return { type: 'ssh-rsa', n: fromB64u(jwk.n), e: fromB64u(jwk.e), d: fromB64u(jwk.d), p: fromB64u(jwk.p), q: fromB64u(jwk.q), iqmp: fromB64u(jwk.qi) };
  }
  if (type === 'ed25519') return { type: 'ssh-ed25519', A: Buffer.from(jwk.x ?? '', 'base64url'), seed: Buffer.from(jwk.d ?? '', 'base64url') };
  const curve = (Object.keys(EC_CURVES) as EcCurve[]).find((c) => EC_CURVES[c].jwk === jwk.crv);
  if (!curve) throw unsupportedType(format, `EC curve ${String(jwk.crv)}`);
  const size = EC_CURVES[curve].bytes;
  const Q = Buffer.concat([Buffer.from([4]), pad(Buffer.from(jwk.x ?? '', 'base64url'), size), pad(Buffer.from(jwk.y ?? '', 'base64url'), size)]);
  return { type: EC_CURVES[curve].type, curve, Q, d: fromB64u(jwk.d) };
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

function dsaFromPkcs8(der: Buffer, format: string): DsaPrivate {
  const top = new DerReader(der, format).enter('PrivateKeyInfo');
  top.uint('version');
  const alg = top.enter('algorithm');
  alg.oid('algorithm');
  const params = alg.enter('DSA parameters');
  const p = params.uint('DSA p');
  const q = params.uint('DSA q');
  const g = params.uint('DSA g');
  const x = new DerReader(top.next('privateKey', 0x04).value, format).uint('DSA x');
  if (toBigInt(x) >= toBigInt(q) || bitLength(p) > 4096) throw malformed(format, 'DSA x', undefined, 'out of range');
  const y = fromBigInt(modPow(toBigInt(g), toBigInt(x), toBigInt(p)));
  return { type: 'ssh-dss', p, q, g, y, x };
}

/**
 * Proves the private half belongs to the public half (a corrupted or mismatched file must not
 * pass as a key): RSA n = p·q, DSA y = g^x, ECDSA Q = d·G, Ed25519 A from the seed.
 */
export function privateMatchesPublic(k: PrivateKey): boolean {
  try {
    switch (k.type) {
      case 'ssh-rsa': {
        const [p, q, e, d] = [toBigInt(k.p), toBigInt(k.q), toBigInt(k.e), toBigInt(k.d)];
        // n = p·q, e·d ≡ 1 mod (p−1) and (q−1), iqmp·q ≡ 1 mod p: what OpenSSL's RSA check proves.
        return (
          p > 2n && q > 2n && p * q === toBigInt(k.n) && (e * d - 1n) % (p - 1n) === 0n && (e * d - 1n) % (q - 1n) === 0n && (toBigInt(k.iqmp) * q) % p === 1n
        );
      }
      case 'ssh-dss':
        // x < q first: it bounds the exponentiation (a crafted 2-Mbit x would take minutes).
        return (
          toBigInt(k.p) > 1n && toBigInt(k.x) > 0n && toBigInt(k.x) < toBigInt(k.q) && modPow(toBigInt(k.g), toBigInt(k.x), toBigInt(k.p)) === toBigInt(k.y)
        );
      case 'ssh-ed25519': {
        if (k.seed.length !== 32) return false;
        const jwk = createPublicKey(createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, k.seed]), format: 'der', type: 'pkcs8' })).export({
          format: 'jwk',
        }) as Jwk;
        return Buffer.from(jwk.x ?? '', 'base64url').equals(k.A);
      }
      default: {
        const c = EC_CURVES[k.curve];
        if (k.d.length === 0 || k.d.length > c.bytes) return false;
        const ecdh = createECDH(c.node);
        ecdh.setPrivateKey(pad(k.d, c.bytes));
        return ecdh.getPublicKey().equals(k.Q);
      }
    }
  } catch {
    return false;
  }
}
