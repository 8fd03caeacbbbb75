/**
 * PKCS#8 private keys (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), every key type. OpenSSL
 * (node:crypto) reads and writes them; before it decrypts anything the encryption parameters
 * are read here and their cost bounded (kdf-bounds.ts), so a file asking for 2^31 PBKDF2
 * iterations, a gigabyte of scrypt memory or 32767 scrypt lanes is refused instead of hanging,
 * and the decryption itself runs off the event loop (openssl-key.ts). Writes PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC (what `openssl pkcs8 -topk8` writes).
 */
import { publicOf, toKeyObject, type PrivateKey } from '../key.js';
import { DerReader } from '../der.js';
import { KpsErrors, kpsError } from '../errors.js';
import { checkIterations, checkScrypt } from '../kdf-bounds.js';
import { armorLabel, readArmor, type Armored } from './armor.js';
import { openWithOpenSsl } from './openssl-key.js';
import type { ParsedKey, ParseOptions, PrivateCodec, WriteOptions } from './types.js';

const FORMAT = 'PKCS#8';
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';
/** PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC …) and PKCS#5 PBES1 schemes: params are salt + iterations. */
const PBE_PREFIXES = ['1.2.840.113549.1.12.1.', '1.2.840.113549.1.5.'];

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
      checkIterations(FORMAT, 'PBKDF2 iterations', kp.small('PBKDF2 iterations'));
    } else if (kdfOid === SCRYPT) {
      checkScrypt(FORMAT, kp.small('scrypt N'), kp.small('scrypt r'), kp.small('scrypt p'));
    } else {
      throw kpsError(KpsErrors.Unsupported, `${FORMAT}: key derivation ${kdfOid} is not supported.`);
    }
  } else if (PBE_PREFIXES.some((p) => scheme.startsWith(p))) {
    const params = alg.enter('PBE parameters');
    params.next('salt', 0x04);
    checkIterations(FORMAT, 'PBE iterations', params.small('PBE iterations'));
  } else {
    throw kpsError(KpsErrors.Unsupported, `${FORMAT}: encryption scheme ${scheme} is not supported.`);
  }
}

async function parse(text: string, opts: ParseOptions): Promise<ParsedKey> {
  const a = readArmor(text, FORMAT);
  const encrypted = a.label === 'ENCRYPTED PRIVATE KEY';
  if (!encrypted && a.label !== 'PRIVATE KEY') throw kpsError(KpsErrors.Malformed, `${FORMAT}: BEGIN line at byte 0: label ${a.label} is not PKCS#8.`);
  if (encrypted) checkEncryption(a);
  const key = await openWithOpenSsl(a, FORMAT, encrypted, opts.passphrase);
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
