/** encrypt-data / decrypt-data (AES-GCM and SM4-GCM ciphertexts that name their key; RSA OAEP; SM2), data keys and random bytes. */
import { KeyholdError } from '../../../shared/errors.js';
import type { EncryptionAlgorithm } from '../../../shared/constants.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { dataOperations } from '../../../shared/operations/kms.js';
import { equalBytes, sha256 } from '../crypto/hmac.js';
import { sm3Digest } from '../crypto/sm3.js';
import { randomBytes } from '../crypto/random.js';
import { oaepMaxPlaintext } from '../crypto/rsa.js';
import { OAEP_HASH } from './algorithms.js';
import type { KmsContext } from './context.js';
import { currentVersion, getKey, handleFor, requireUsable, requireUsage, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { open, seal, type Binding } from './symmetric.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** Bits of a data key: datakey_length wins over key_spec; 256 bits when neither is given. */
const DATAKEY_SPEC_BITS: Record<string, number> = { AES_256: 256, AES_128: 128, SM4: 128, HMAC_256: 256, HMAC_384: 384, HMAC_512: 512, HMAC_SM3: 256 };

/** The digest that travels with a data key under this CMK (SHA-256, or SM3 for SM4 keys). */
function datakeyDigest(key: CmkRecord): { name: string; bytes: number; of: (dek: Buffer) => Buffer } {
  const hash = KEY_SPEC_TABLE[key.key_spec].datakeyDigest ?? 'sha256';
  return hash === 'sm3' ? { name: 'SM3', bytes: 32, of: sm3Digest } : { name: 'SHA-256', bytes: 32, of: sha256 };
}

/** Precondition: the encryption algorithm is one the key's spec offers (AES: SYMMETRIC_DEFAULT; RSA: OAEP). */
function requireAlgorithm(key: CmkRecord, algorithm: EncryptionAlgorithm): void {
  const allowed = KEY_SPEC_TABLE[key.key_spec].encryption;
  if (!allowed.includes(algorithm)) {
    throw new KeyholdError(
      KmsErrors.Invalid,
      `Invalid encryption_algorithm: ${algorithm} is not available for key_spec ${key.key_spec} (allowed: ${allowed.join(', ') || 'none'}).`,
      400,
      'algorithm.not-for-spec',
    );
  }
}

/** A fresh DEK and its ciphertext under the key (create-datakey, with or without plaintext). */
function newDataKey(ctx: KmsContext, input: Binding & { key_id: string; key_spec?: string | undefined; datakey_length?: string | undefined }) {
  const key = getKey(ctx, input.key_id);
  const bits = input.datakey_length ? Number(input.datakey_length) : (DATAKEY_SPEC_BITS[input.key_spec ?? 'AES_256'] ?? 256);
  const dek = randomBytes(bits / 8);
  return { key, dek, cipher: seal(ctx, key, dek, input) };
}

export const dataHandlers: Handlers<typeof dataOperations, KmsContext> = {
  encryptData(ctx, input) {
    const key = getKey(ctx, input.key_id);
    // seal checks state, usage and spec itself, once (kms/wrap.ts).
    if (input.encryption_algorithm === 'SYMMETRIC_DEFAULT')
      return { key_id: key.key_id, cipher_text: seal(ctx, key, input.plain_text, input).toString('base64') };
    requireUsable(key);
    requireUsage(key, 'ENCRYPT_DECRYPT');
    requireAlgorithm(key, input.encryption_algorithm);
    const plain = Buffer.from(input.plain_text, 'utf8');
    if (input.encryption_algorithm === 'SM2_ENCRYPT')
      return { key_id: key.key_id, cipher_text: ctx.hsm.sm2Encrypt(handleFor(ctx, currentVersion(key).material), plain).toString('base64') };
    const hash = OAEP_HASH[input.encryption_algorithm];
    const max = oaepMaxPlaintext(KEY_SPEC_TABLE[key.key_spec].modulusBytes ?? 0, hash);
    if (plain.length > max)
      throw new KeyholdError(
        KmsErrors.BadPlainText,
        `Invalid plain_text: ${input.encryption_algorithm} with ${key.key_spec} encrypts at most ${max} bytes.`,
        400,
      );
    return { key_id: key.key_id, cipher_text: ctx.hsm.rsaEncrypt(handleFor(ctx, currentVersion(key).material), hash, plain).toString('base64') };
  },

  decryptData(ctx, input) {
    const raw = Buffer.from(input.cipher_text, 'base64');
    if (input.encryption_algorithm === 'SYMMETRIC_DEFAULT') {
      const { key, plain } = open(ctx, raw, input.key_id, input);
      return { key_id: key.key_id, plain_text: plain.toString('utf8'), plain_text_base64: plain.toString('base64') };
    }
    if (!input.key_id) throw new KeyholdError(KmsErrors.Missing, `Missing parameter: key_id is required with ${input.encryption_algorithm}.`, 400);
    const key = getKey(ctx, input.key_id);
    requireUsable(key);
    requireUsage(key, 'ENCRYPT_DECRYPT');
    requireAlgorithm(key, input.encryption_algorithm);
    const handle = handleFor(ctx, currentVersion(key).material);
    const algorithm = input.encryption_algorithm;
    const plain = algorithm === 'SM2_ENCRYPT' ? ctx.hsm.sm2Decrypt(handle, raw) : ctx.hsm.rsaDecrypt(handle, OAEP_HASH[algorithm], raw);
    if (!plain)
      throw new KeyholdError(
        KmsErrors.BadCipherText,
        `Invalid cipher_text: it does not decrypt with key ${key.key_id} and ${input.encryption_algorithm}.`,
        400,
      );
    return { key_id: key.key_id, plain_text: plain.toString('utf8'), plain_text_base64: plain.toString('base64') };
  },

  createDatakey(ctx, input) {
    const { key, dek, cipher } = newDataKey(ctx, input);
    return { key_id: key.key_id, plain_text: dek.toString('hex'), cipher_text: cipher.toString('hex') };
  },

  createDatakeyWithoutPlaintext(ctx, input) {
    const { key, dek, cipher } = newDataKey(ctx, input);
    dek.fill(0);
    return { key_id: key.key_id, cipher_text: cipher.toString('hex') };
  },

  encryptDatakey(ctx, input) {
    const key = getKey(ctx, input.key_id);
    const digest = datakeyDigest(key);
    const length = Number(input.datakey_plain_length);
    const raw = Buffer.from(input.plain_text, 'hex');
    if (raw.length !== length + digest.bytes) {
      throw new KeyholdError(
        KmsErrors.BadPlainLength,
        `Invalid datakey_plain_length: plain_text holds ${raw.length - digest.bytes} key bytes plus the ${digest.bytes}-byte ${digest.name}, not ${length}.`,
        400,
      );
    }
    const dek = raw.subarray(0, length);
    if (!equalBytes(digest.of(dek), raw.subarray(length)))
      throw new KeyholdError(KmsErrors.DataKeyHashMismatch, `Invalid plain_text: the ${digest.name} digest does not match the data key.`, 400);
    const cipher = seal(ctx, key, dek, input);
    raw.fill(0);
    return { key_id: key.key_id, cipher_text: cipher.toString('hex'), datakey_length: String(length) };
  },

  decryptDatakey(ctx, input) {
    const { key, plain } = open(ctx, Buffer.from(input.cipher_text, 'hex'), input.key_id, input);
    if (plain.length !== Number(input.datakey_cipher_length)) {
      throw new KeyholdError(
        KmsErrors.BadCipherLength,
        `Invalid datakey_cipher_length: the data key is ${plain.length} bytes, not ${input.datakey_cipher_length}.`,
        400,
      );
    }
    return { data_key: plain.toString('hex'), datakey_length: String(plain.length), datakey_dgst: datakeyDigest(key).of(plain).toString('hex') };
  },

  genRandom(_ctx, input) {
    return { random_data: randomBytes(Number(input.random_data_length) / 8).toString('hex') };
  },
};
