/**
 * SM2 (GB/T 32918) signatures and encryption over `sm-crypto-v2` (built on @noble/curves'
 * arithmetic), because node:crypto cannot: it signs SM2 without the distinguishing id (its
 * signatures verify only without one) and has no SM2 encryption. Signatures use the GM/T 0009
 * default distinguishing id "1234567812345678" (the library's default and OpenSSL's `distid`
 * that tests pass), are DER; ciphertexts are GM/T 0009's DER form (C1, C3, C2), what
 * `openssl pkeyutl -encrypt` writes. Keys are kept as PKCS#8 DER (id-ecPublicKey on the SM2
 * curve, as openssl genpkey writes them) and parsed here: Node 20 aborts the process when it
 * exports an SM2 KeyObject as SEC1, so no SM2 key is ever held as a KeyObject.
 */
import { sm2 } from 'sm-crypto-v2';

/** The default user id of GM/T 0009-2012, which the cloud's SDKs and OpenSSL's distid use too. */
export const SM2_DEFAULT_ID = '1234567812345678';

export interface Sm2Key {
  /** Private scalar, hex (64 digits). */
  readonly d: string;
  /** Uncompressed public point 04‖X‖Y, hex (130 digits). */
  readonly q: string;
}

// AlgorithmIdentifier { id-ecPublicKey, sm2 (1.2.156.10197.1.301) }.
const ALGORITHM = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');
const SM2_CURVE = Buffer.from('06082a811ccf5501822d', 'hex');
const SPKI_PREFIX = Buffer.concat([Buffer.from('3059', 'hex'), ALGORITHM, Buffer.from('034200', 'hex')]);
const N = BigInt('0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');

interface Tlv {
  tag: number;
  body: Buffer;
  next: number;
}

/** One DER element at `pos`, or null when it does not fit in `buf`. */
function readTlv(buf: Buffer, pos: number): Tlv | null {
  if (pos + 2 > buf.length) return null;
  const tag = buf[pos] as number;
  let len = buf[pos + 1] as number;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2 || start + n > buf.length) return null;
    len = buf.readUIntBE(start, n);
    start += n;
  }
  if (start + len > buf.length) return null;
  return { tag, body: buf.subarray(start, start + len), next: start + len };
}

/** The elements of a constructed body, or null when they do not fill it exactly. */
function children(body: Buffer): Tlv[] | null {
  const out: Tlv[] = [];
  for (let pos = 0; pos < body.length;) {
    const t = readTlv(body, pos);
    if (!t) return null;
    out.push(t);
    pos = t.next;
  }
  return out;
}

/**
 * An SM2 private key from PKCS#8 DER: null when it is not one (another algorithm or curve, a
 * scalar out of range, or a public point that does not belong to the scalar).
 */
export function parseSm2Pkcs8(der: Buffer): Sm2Key | null {
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.next !== der.length) return null;
  const top = children(outer.body);
  if (!top || top.length < 3 || top[0]?.tag !== 0x02 || top[1]?.tag !== 0x30 || top[2]?.tag !== 0x04) return null;
  if (!top[0].body.equals(Buffer.from([0])) || !top[1].body.equals(ALGORITHM.subarray(2))) return null;
  const ecOuter = readTlv(top[2].body, 0);
  if (!ecOuter || ecOuter.tag !== 0x30 || ecOuter.next !== top[2].body.length) return null;
  const ec = children(ecOuter.body);
  if (!ec || ec.length < 2 || ec[0]?.tag !== 0x02 || !ec[0].body.equals(Buffer.from([1])) || ec[1]?.tag !== 0x04 || ec[1].body.length !== 32) return null;
  const dHex = ec[1].body.toString('hex');
  const d = BigInt(`0x${dHex}`);
  if (d < 1n || d >= N - 1n) return null;
  const q = sm2.getPublicKeyFromPrivateKey(dHex);
  for (const extra of ec.slice(2)) {
    if (extra.tag === 0xa1) {
      const bits = readTlv(extra.body, 0);
      if (!bits || bits.tag !== 0x03 || bits.body[0] !== 0 || bits.body.subarray(1).toString('hex') !== q) return null;
    } else if (extra.tag !== 0xa0 || !extra.body.equals(SM2_CURVE)) {
      return null;
    }
  }
  return { d: dHex, q };
}

/**
 * A fresh key: the scalar from the library's generator (Web Crypto's getRandomValues), in range
 * [1, n − 2] as GB/T 32918 requires. Not node:crypto, whose Electron build (BoringSSL) has no SM2.
 */
export function generateSm2Key(): Sm2Key {
  const d = sm2.generateKeyPairHex().privateKey.padStart(64, '0');
  const key = parseSm2Pkcs8(sm2Pkcs8({ d, q: sm2.getPublicKeyFromPrivateKey(d) }));
  if (!key) throw new Error('The SM2 generator gave a scalar out of range.');
  return key;
}

/** The canonical PKCS#8 DER of a key (the form `openssl pkcs8 -topk8` writes). */
export function sm2Pkcs8(key: Sm2Key): Buffer {
  const ecPrivateKey = Buffer.concat([
    Buffer.from('306b0201010420', 'hex'),
    Buffer.from(key.d, 'hex'),
    Buffer.from('a144034200', 'hex'),
    Buffer.from(key.q, 'hex'),
  ]);
  const body = Buffer.concat([Buffer.from('020100', 'hex'), ALGORITHM, Buffer.from('046d', 'hex'), ecPrivateKey]);
  return Buffer.concat([Buffer.from('308187', 'hex'), body]);
}

/** SubjectPublicKeyInfo PEM of the key's public point. */
export function sm2PublicKeyPem(key: Sm2Key): string {
  const der = Buffer.concat([SPKI_PREFIX, Buffer.from(key.q, 'hex')]).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${der.replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`;
}

/**
 * Signs `data`: the message itself (hashed as SM3(Z‖M) with the default id), or with
 * `prehashed` the 32-byte value e = SM3(Z‖M) the caller computed. Returns DER.
 */
export function sm2Sign(key: Sm2Key, data: Buffer, prehashed: boolean): Buffer {
  const sig = sm2.doSignature(new Uint8Array(data), key.d, { der: true, hash: !prehashed, publicKey: key.q, userId: SM2_DEFAULT_ID });
  return Buffer.from(sig, 'hex');
}

/** A malformed or wrong signature is `false`. */
export function sm2Verify(key: Sm2Key, data: Buffer, signature: Buffer, prehashed: boolean): boolean {
  if (signature.length === 0 || signature.length > 80) return false;
  try {
    return sm2.doVerifySignature(new Uint8Array(data), signature.toString('hex'), key.q, { der: true, hash: !prehashed, userId: SM2_DEFAULT_ID });
  } catch {
    return false;
  }
}

/** SM2 encryption (C1C3C2, DER). */
export function sm2Encrypt(key: Sm2Key, plaintext: Buffer): Buffer {
  return Buffer.from(sm2.doEncrypt(new Uint8Array(plaintext), key.q, 1, { asn1: true }), 'hex');
}

/** Returns null when the ciphertext does not decrypt (malformed, or its C3 hash differs). */
export function sm2Decrypt(key: Sm2Key, ciphertext: Buffer): Buffer | null {
  try {
    const plain = sm2.doDecrypt(ciphertext.toString('hex'), key.d, 1, { asn1: true, output: 'array' });
    return plain.length === 0 ? null : Buffer.from(plain);
  } catch {
    return null;
  }
}
