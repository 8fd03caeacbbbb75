/**
 * RSA beyond node:crypto's message signing: OAEP encryption, and signatures over a digest the
 * caller computed (KMS message_type DIGEST). PKCS#1 v1.5 signs DigestInfo ‖ digest with
 * node:crypto's type-1 padding; PSS encodes EMSA-PSS here (RFC 8017 §9.1) and applies the raw
 * RSA operation through node:crypto. PKCS#1 v1.5 *decryption* is not here (see hsm/legacy).
 */
import { constants, createHash, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { equalBytes } from './hmac.js';
import { randomBytes } from './random.js';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const HASH_BYTES: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** DER of DigestInfo's AlgorithmIdentifier and OCTET STRING header (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<Exclude<HashName, 'sha1'>, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/** DigestInfo ‖ digest: what a PKCS#1 v1.5 signature signs (also what a token's raw CKM_RSA_PKCS takes). */
export function digestInfo(hash: Exclude<HashName, 'sha1'>, d: Buffer): Buffer {
  return Buffer.concat([DIGEST_INFO[hash], d]);
}

export function hashBytes(hash: HashName): number {
  return HASH_BYTES[hash];
}

export function digest(hash: HashName, data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}

export function oaepEncrypt(publicKey: KeyObject, hash: HashName, plaintext: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext);
}

/** Returns null when the ciphertext does not decrypt (wrong key, wrong hash, altered). */
export function oaepDecrypt(privateKey: KeyObject, hash: HashName, ciphertext: Buffer): Buffer | null {
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
  } catch {
    return null;
  }
}

/** Largest OAEP plaintext for a modulus of `modulusBytes` (RFC 8017 §7.1.1). */
export function oaepMaxPlaintext(modulusBytes: number, hash: HashName): number {
  return modulusBytes - 2 * HASH_BYTES[hash] - 2;
}

export function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

export function pkcs1SignDigest(privateKey: KeyObject, hash: Exclude<HashName, 'sha1'>, d: Buffer): Buffer {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], d]));
}

export function pkcs1VerifyDigest(publicKey: KeyObject, hash: Exclude<HashName, 'sha1'>, d: Buffer, signature: Buffer): boolean {
  try {
    const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    return equalBytes(recovered, Buffer.concat([DIGEST_INFO[hash], d]));
  } catch {
    return false;
  }
}

function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0, got = 0; got < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = digest(hash, Buffer.concat([seed, c]));
    out.push(block);
    got += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/**
 * EMSA-PSS-ENCODE + RSASP1. The salt is as long as the digest (sLen = hLen): see docs/kms.md
 * for why, and verifyPssDigest for what is accepted.
 */
export function pssSignDigest(privateKey: KeyObject, hash: HashName, mHash: Buffer): Buffer {
  const bits = modulusBits(privateKey);
  const k = (bits + 7) >> 3;
  const emBits = bits - 1;
  const emLen = (emBits + 7) >> 3;
  const hLen = HASH_BYTES[hash];
  const salt = randomBytes(hLen);
  const h = digest(hash, Buffer.concat([Buffer.alloc(8), mHash, salt]));
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 0x01;
  salt.copy(db, emLen - 2 * hLen - 1);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.from([0xbc])]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em);
}

/** RSAVP1 + EMSA-PSS-VERIFY with the salt length recovered from the encoding (any length). */
export function pssVerifyDigest(publicKey: KeyObject, hash: HashName, mHash: Buffer, signature: Buffer): boolean {
  const bits = modulusBits(publicKey);
  const k = (bits + 7) >> 3;
  if (signature.length !== k || mHash.length !== HASH_BYTES[hash]) return false;
  let m: Buffer;
  try {
    m = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emBits = bits - 1;
  const emLen = (emBits + 7) >> 3;
  const hLen = HASH_BYTES[hash];
  if (m.length !== k || m.subarray(0, k - emLen).some((b) => b !== 0)) return false;
  const em = m.subarray(k - emLen);
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const topMask = 0xff >> (8 * emLen - emBits);
  if (((em[0] as number) & ~topMask) !== 0) return false;
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & topMask;
  const one = db.findIndex((b) => b !== 0);
  if (one < 0 || db[one] !== 0x01) return false;
  const salt = db.subarray(one + 1);
  return equalBytes(digest(hash, Buffer.concat([Buffer.alloc(8), mHash, salt])), h);
}
