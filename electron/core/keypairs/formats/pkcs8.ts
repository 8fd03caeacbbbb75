/**
 * PKCS#8 private keys (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), every key type. OpenSSL
 * (node:crypto) reads and writes them; before it decrypts anything the encryption parameters
 * are read here and their cost bounded, so a file asking for 2^31 PBKDF2 iterations or a
 * gigabyte of scrypt memory is refused instead of hanging. Writes PBES2 with PBKDF2-HMAC-SHA256
 * and AES-256-CBC (what `openssl pkcs8 -topk8` writes).
 */
import { publicOf, toKeyObject, type PrivateKey } from '../key.js';
import { DerReader } from '../der.js';
import { KpsErrors, kpsError } from '../errors.js';
import { armorLabel, readArmor, type Armored } from './armor.js';
import { openWithOpenSsl } from './openssl-key.js';
import type { ParsedKey, ParseOptions, PrivateCodec, WriteOptions } from './types.js';

const FORMAT = 'PKCS#8';
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';
/** PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC …) and PKCS#5 PBES1 schemes: params are salt + iterations. */
const PBE_PREFIXES = ['1.2.840.113549.1.12.1.', '1.2.840.113549.1.5.'];

export const PKCS8_BOUNDS = {
  iterations: 2_000_000,
  /** scrypt memory, N × r × 128 bytes. */
  scryptBytes: 256 * 1024 * 1024,
} as const;

function tooCostly(what: string): Error {
  return kpsError(KpsErrors.KdfOutOfBounds, `${FORMAT}: ${what}; refused before deriving anything.`);
}

/** Reads EncryptedPrivateKeyInfo's algorithm and bounds the KDF cost. */
function checkEncryption(a: Armored): void {
  const top = new DerReader(a.body, FORMAT, 0).enter('EncryptedPrivateKeyInfo');
  const alg = top.enter('encryptionAlgorithm');
  const scheme = alg.oid('encryption scheme');
  if (scheme === PBES2) {
    const params = alg.enter('PBES2 parameters');
    const kdf = params.enter('key derivation');
    const kdfOid = kdf.oid('key derivation algorithm');
    const kp = kdf.enter('key derivation parameters');
    kp.next('salt', 0x04);
    if (kdfOid === PBKDF2) {
      const iterations = kp.small('PBKDF2 iterations');
      if (iterations < 1 || iterations > PKCS8_BOUNDS.iterations) throw tooCostly(`PBKDF2 with ${iterations} iterations is outside 1-${PKCS8_BOUNDS.iterations}`);
    } else if (kdfOid === SCRYPT) {
      const n = kp.small('scrypt N');
      const r = kp.small('scrypt r');
      if (n * r * 128 > PKCS8_BOUNDS.scryptBytes) throw tooCostly(`scrypt N=${n}, r=${r} needs more than ${PKCS8_BOUNDS.scryptBytes} bytes`);
    } else {
      throw kpsError(KpsErrors.Unsupported, `${FORMAT}: key derivation ${kdfOid} is not supported.`);
    }
  } else if (PBE_PREFIXES.some((p) => scheme.startsWith(p))) {
    const params = alg.enter('PBE parameters');
    params.next('salt', 0x04);
    const iterations = params.small('PBE iterations');
    if (iterations < 1 || iterations > PKCS8_BOUNDS.iterations) throw tooCostly(`${iterations} iterations is outside 1-${PKCS8_BOUNDS.iterations}`);
  } else {
    throw kpsError(KpsErrors.Unsupported, `${FORMAT}: encryption scheme ${scheme} is not supported.`);
  }
}

async function parse(text: string, opts: ParseOptions): Promise<ParsedKey> {
  const a = readArmor(text, FORMAT);
  const encrypted = a.label === 'ENCRYPTED PRIVATE KEY';
  if (!encrypted && a.label !== 'PRIVATE KEY') throw kpsError(KpsErrors.Malformed, `${FORMAT}: BEGIN line at byte 0: label ${a.label} is not PKCS#8.`);
  if (encrypted) checkEncryption(a);
  const key = openWithOpenSsl(a, FORMAT, encrypted, opts.passphrase);
  return { format: 'pkcs8', encrypted, comment: '', publicKey: publicOf(key), privateKey: key };
}

async function serialize(key: PrivateKey, opts: WriteOptions): Promise<string> {
  const enc = opts.passphrase ? { cipher: 'aes-256-cbc', passphrase: opts.passphrase } : {};
  return toKeyObject(key).export({ format: 'pem', type: 'pkcs8', ...enc }) as string;
}

export const pkcs8: PrivateCodec = {
  detect: (text) => {
    const label = armorLabel(text);
    return label === 'PRIVATE KEY' || label === 'ENCRYPTED PRIVATE KEY';
  },
  parse,
  serialize,
};
