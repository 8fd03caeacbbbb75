/**
 * The software HSM: material wrapped with AES-256-GCM under a key the vault derives from its
 * root key for this purpose only. Loaded material sits in a module-private WeakMap keyed by
 * the handle, so nothing outside this file can read it.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  sign as signWith,
  verify as verifyWith,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { concatSealed, gcmOpen, gcmSeal, splitSealed, type SealAad, type Sealed } from '../crypto/aead.js';
import { kwpUnwrap } from '../crypto/aes-kwp.js';
import { randomBytes } from '../crypto/random.js';
import type { WrappingAlgorithm } from '../../../shared/constants.js';
import { hkdf32, hmacSha256 } from '../crypto/hmac.js';
import { oaepDecrypt, oaepEncrypt, type HashName } from '../crypto/rsa.js';
import { signMessage, verifyMessage, type SignOptions } from '../crypto/sign.js';
import { hmacSm3 } from '../crypto/sm3.js';
import { generateSm2Key, parseSm2Pkcs8, sm2Decrypt, sm2Encrypt, sm2Pkcs8, sm2PublicKeyPem, sm2Sign, sm2Verify, type Sm2Key } from '../crypto/sm2.js';
import { sm4GcmOpen, sm4GcmSeal } from '../crypto/sm4-gcm.js';
import { pkcs1v15Decrypt } from './legacy/pkcs1v15-decrypt.js';
import type { HsmBackend, HsmKeyKind, KeyHandle, WrappedKey } from './backend.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const MAGIC = 'KHK1';

interface KindInfo {
  /** Bytes of a symmetric key; absent for key pairs. */
  secretBytes?: number;
  /** The AEAD of a symmetric encryption key. */
  aead?: 'aes-256-gcm' | 'sm4-gcm';
  hmac?: 'sha256' | 'sha384' | 'sha512' | 'sm3';
  rsaBits?: number;
  curve?: string;
  /** Key pairs that are neither RSA nor ECDSA; SM2 keys are never node:crypto KeyObjects (crypto/sm2.ts). */
  pair?: 'ed25519' | 'sm2';
}

const KINDS: Record<HsmKeyKind, KindInfo> = {
  'aes-256': { secretBytes: 32, aead: 'aes-256-gcm' },
  sm4: { secretBytes: 16, aead: 'sm4-gcm' },
  'hmac-sm3': { secretBytes: 32, hmac: 'sm3' },
  'hmac-sha256': { secretBytes: 32, hmac: 'sha256' },
  'hmac-sha384': { secretBytes: 48, hmac: 'sha384' },
  'hmac-sha512': { secretBytes: 64, hmac: 'sha512' },
  'rsa-2048': { rsaBits: 2048 },
  'rsa-3072': { rsaBits: 3072 },
  'rsa-4096': { rsaBits: 4096 },
  'ec-p256': { curve: 'prime256v1' },
  'ec-p384': { curve: 'secp384r1' },
  'ec-secp256k1': { curve: 'secp256k1' },
  ed25519: { pair: 'ed25519' },
  sm2: { pair: 'sm2' },
};

/** A secret key's bytes for a JavaScript cipher (SM4, HMAC-SM3), wiped once it has run. */
function withSecret<T>(key: KeyObject, use: (bytes: Buffer) => T): T {
  const bytes = key.export();
  try {
    return use(bytes);
  } finally {
    bytes.fill(0);
  }
}

const isPair = (info: KindInfo): boolean => Boolean(info.rsaBits ?? info.curve ?? info.pair);

class Handle implements KeyHandle {
  constructor(readonly kind: HsmKeyKind) {}
  toString(): string {
    return `[KeyHandle ${this.kind}]`;
  }
  toJSON(): { kind: HsmKeyKind } {
    return { kind: this.kind };
  }
}

const material = new WeakMap<KeyHandle, KeyObject>();
const sm2Material = new WeakMap<KeyHandle, Sm2Key>();

function unsupported(what: string, kind: HsmKeyKind): KeyholdError {
  return new KeyholdError(LocalErrors.Unsupported, `${what} is not supported by a ${kind} key.`, 400);
}

/**
 * An imported private key as the HSM keeps it: parsed as PKCS#8, of the kind's curve or modulus,
 * consistent with its public half (it signs what that half verifies), re-encoded canonically.
 */
function pkcs8Of(der: Buffer, kind: HsmKeyKind, info: KindInfo): Buffer {
  const refused = (why: string) => new KeyholdError(KmsErrors.BadMaterialLength, `Invalid encrypted_privatekey: ${why}`, 400);
  if (info.pair === 'sm2') {
    // Parsed here, not by node:crypto (crypto/sm2.ts says why); the public point, when the
    // file carries one, must be the scalar's.
    const sm2Key = parseSm2Pkcs8(der);
    if (!sm2Key) throw refused('the unwrapped bytes are not an SM2 private key in PKCS#8 (DER) whose public point belongs to it, as sm2 needs.');
    return sm2Pkcs8(sm2Key);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw refused('the unwrapped bytes are not a PKCS#8 private key (DER); convert one with openssl pkcs8 -topk8 -nocrypt -outform DER.');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (info.rsaBits && (key.asymmetricKeyType !== 'rsa' || details.modulusLength !== info.rsaBits)) {
    throw refused(
      `it is not an RSA-${info.rsaBits} key (a ${key.asymmetricKeyType}${details.modulusLength ? `-${details.modulusLength}` : ''} key), as ${kind} needs.`,
    );
  }
  if (info.curve && (key.asymmetricKeyType !== 'ec' || details.namedCurve !== info.curve)) {
    throw refused(
      `it is not a key on ${info.curve} (a ${key.asymmetricKeyType}${details.namedCurve ? ` key on ${details.namedCurve}` : ' key'}), as ${kind} needs.`,
    );
  }
  if (info.pair === 'ed25519' && key.asymmetricKeyType !== 'ed25519') {
    throw refused(`it is not an Ed25519 key (a ${key.asymmetricKeyType ?? 'non-standard'} key), as ${kind} needs.`);
  }
  const probe = Buffer.from('keyhold/v1/import-consistency');
  const hash = info.pair === 'ed25519' ? null : 'sha256';
  if (!verifyWith(hash, probe, createPublicKey(key), signWith(hash, probe, key))) {
    throw refused('its private and public parts do not belong together.');
  }
  return key.export({ format: 'der', type: 'pkcs8' });
}

export class SoftwareHsm implements HsmBackend {
  /** @param wrappingKey 32 bytes derived by the vault for the HSM; kept, never returned. */
  constructor(private readonly wrappingKey: Buffer) {}

  async generate(kind: HsmKeyKind): Promise<WrappedKey> {
    const info = KINDS[kind];
    if (info.secretBytes) {
      const secret = randomBytes(info.secretBytes);
      try {
        return this.wrap(kind, secret);
      } finally {
        secret.fill(0);
      }
    }
    if (info.pair === 'sm2') return this.wrap(kind, sm2Pkcs8(generateSm2Key()));
    const { privateKey } = info.rsaBits
      ? await generateKeyPairAsync('rsa', { modulusLength: info.rsaBits, publicExponent: 0x10001 })
      : info.pair === 'ed25519'
        ? await generateKeyPairAsync('ed25519')
        : await generateKeyPairAsync('ec', { namedCurve: info.curve as string });
    return this.wrap(kind, privateKey.export({ format: 'der', type: 'pkcs8' }));
  }

  wrap(kind: HsmKeyKind, secret: Buffer): WrappedKey {
    const info = KINDS[kind];
    if (info.secretBytes && secret.length !== info.secretBytes) {
      throw new KeyholdError(KmsErrors.BadMaterialLength, `Key material for ${kind} must be ${info.secretBytes} bytes.`, 400);
    }
    const sealed = gcmSeal(this.wrappingKey, secret, Buffer.from(`${MAGIC}|${kind}`));
    return `${MAGIC}.${kind}.${concatSealed(sealed).toString('base64')}` as WrappedKey;
  }

  unwrap(wrapped: WrappedKey): KeyHandle {
    const [magic, kind, body] = String(wrapped).split('.');
    const bad = () => new KeyholdError(LocalErrors.RecordCorrupt, 'Wrapped key material does not authenticate under this vault.', 500);
    if (magic !== MAGIC || !kind || !(kind in KINDS) || !body) throw bad();
    const sealed = splitSealed(Buffer.from(body, 'base64'));
    if (!sealed) throw bad();
    const secret = gcmOpen(this.wrappingKey, sealed, Buffer.from(`${MAGIC}|${kind}`));
    if (!secret) throw bad();
    const k = kind as HsmKeyKind;
    const handle = new Handle(k);
    if (KINDS[k].pair === 'sm2') {
      const sm2Key = parseSm2Pkcs8(secret);
      secret.fill(0);
      if (!sm2Key) throw bad();
      sm2Material.set(handle, sm2Key);
      return handle;
    }
    material.set(handle, KINDS[k].secretBytes ? createSecretKey(secret) : createPrivateKey({ key: secret, format: 'der', type: 'pkcs8' }));
    secret.fill(0);
    return handle;
  }

  private keyOf(handle: KeyHandle): KeyObject {
    const k = material.get(handle);
    if (!k) throw new KeyholdError(LocalErrors.VaultLocked, 'Key handle is no longer valid.', 400);
    return k;
  }

  private sm2KeyOf(handle: KeyHandle): Sm2Key {
    const k = sm2Material.get(handle);
    if (!k) throw new KeyholdError(LocalErrors.VaultLocked, 'Key handle is no longer valid.', 400);
    return k;
  }

  seal(handle: KeyHandle, plaintext: Buffer, aad: SealAad): Sealed {
    const aead = KINDS[handle.kind].aead;
    if (!aead) throw unsupported('Symmetric encryption', handle.kind);
    if (aead === 'sm4-gcm') return withSecret(this.keyOf(handle), (key) => sm4GcmSeal(key, plaintext, aad));
    return gcmSeal(this.keyOf(handle), plaintext, aad);
  }

  open(handle: KeyHandle, sealed: Sealed, aad: Buffer): Buffer | null {
    const aead = KINDS[handle.kind].aead;
    if (!aead) throw unsupported('Symmetric decryption', handle.kind);
    if (aead === 'sm4-gcm') return withSecret(this.keyOf(handle), (key) => sm4GcmOpen(key, sealed, aad));
    return gcmOpen(this.keyOf(handle), sealed, aad);
  }

  mac(handle: KeyHandle, data: Buffer): Buffer {
    const hash = KINDS[handle.kind].hmac;
    if (!hash) throw unsupported('MAC generation', handle.kind);
    if (hash === 'sm3') return withSecret(this.keyOf(handle), (key) => hmacSm3(key, data));
    return createHmac(hash, this.keyOf(handle)).update(data).digest();
  }

  sign(handle: KeyHandle, data: Buffer, opts: SignOptions): Buffer {
    const info = KINDS[handle.kind];
    if (!isPair(info)) throw unsupported('Signing', handle.kind);
    if (info.pair === 'sm2') {
      if (opts.hash !== 'sm3') throw unsupported(`Signing with ${opts.hash}`, handle.kind);
      return sm2Sign(this.sm2KeyOf(handle), data, opts.prehashed === true);
    }
    return signMessage(this.keyOf(handle), data, opts);
  }

  verify(handle: KeyHandle, data: Buffer, signature: Buffer, opts: SignOptions): boolean {
    const info = KINDS[handle.kind];
    if (!isPair(info)) throw unsupported('Verification', handle.kind);
    if (info.pair === 'sm2') return opts.hash === 'sm3' && sm2Verify(this.sm2KeyOf(handle), data, signature, opts.prehashed === true);
    return verifyMessage(createPublicKey(this.keyOf(handle)), data, signature, opts);
  }

  rsaEncrypt(handle: KeyHandle, hash: HashName, plaintext: Buffer): Buffer {
    if (!KINDS[handle.kind].rsaBits) throw unsupported('RSA encryption', handle.kind);
    return oaepEncrypt(createPublicKey(this.keyOf(handle)), hash, plaintext);
  }

  rsaDecrypt(handle: KeyHandle, hash: HashName, ciphertext: Buffer): Buffer | null {
    if (!KINDS[handle.kind].rsaBits) throw unsupported('RSA decryption', handle.kind);
    return oaepDecrypt(this.keyOf(handle), hash, ciphertext);
  }

  sm2Encrypt(handle: KeyHandle, plaintext: Buffer): Buffer {
    if (KINDS[handle.kind].pair !== 'sm2') throw unsupported('SM2 encryption', handle.kind);
    return sm2Encrypt(this.sm2KeyOf(handle), plaintext);
  }

  sm2Decrypt(handle: KeyHandle, ciphertext: Buffer): Buffer | null {
    if (KINDS[handle.kind].pair !== 'sm2') throw unsupported('SM2 decryption', handle.kind);
    return sm2Decrypt(this.sm2KeyOf(handle), ciphertext);
  }

  importWrapped(wrappingKey: KeyHandle, algorithm: WrappingAlgorithm, encrypted: Buffer, kind: HsmKeyKind): { wrapped: WrappedKey; fingerprint: string } {
    const bytes = KINDS[kind].secretBytes;
    if (!bytes) throw unsupported('Importing wrapped material', kind);
    const secret = this.openImported(wrappingKey, algorithm, encrypted, bytes);
    try {
      return { wrapped: this.wrap(kind, secret), fingerprint: this.fingerprint(kind, secret) };
    } finally {
      secret.fill(0);
    }
  }

  importWrappedPrivateKey(
    wrappingKey: KeyHandle,
    algorithm: WrappingAlgorithm,
    encryptedTempKey: Buffer,
    encryptedPrivateKey: Buffer,
    kind: HsmKeyKind,
  ): { wrapped: WrappedKey; fingerprint: string } {
    const info = KINDS[kind];
    if (!isPair(info)) throw unsupported('Importing a private key', kind);
    const temp = this.openImported(wrappingKey, algorithm, encryptedTempKey, 32);
    const der = kwpUnwrap(temp, encryptedPrivateKey);
    temp.fill(0);
    if (!der)
      throw new KeyholdError(
        KmsErrors.ImportDecryptFailed,
        'Invalid encrypted_privatekey: it does not unwrap (AES key wrap with padding, RFC 5649) under the temporary key in encrypted_key_material.',
        400,
      );
    try {
      const canonical = pkcs8Of(der, kind, info);
      try {
        return { wrapped: this.wrap(kind, canonical), fingerprint: this.fingerprint(kind, canonical) };
      } finally {
        canonical.fill(0);
      }
    } finally {
      der.fill(0);
    }
  }

  /** The RSA-wrapped block of an import, opened with the import's wrapping key. */
  private openImported(wrappingKey: KeyHandle, algorithm: WrappingAlgorithm, encrypted: Buffer, bytes: number): Buffer {
    if (!KINDS[wrappingKey.kind].rsaBits) throw unsupported('Unwrapping imported material', wrappingKey.kind);
    const key = this.keyOf(wrappingKey);
    const secret =
      algorithm === 'RSAES_PKCS1_V1_5' ? pkcs1v15Decrypt(key, encrypted) : oaepDecrypt(key, algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256', encrypted);
    const refused = () =>
      new KeyholdError(
        KmsErrors.ImportDecryptFailed,
        'Invalid encrypted_key_material: it does not decrypt with the wrapping key and wrapping_algorithm of this import token.',
        400,
      );
    if (!secret) throw refused();
    // PKCS#1 v1.5 has no integrity: telling "bad padding" from "wrong length" apart would be a
    // padding oracle (Bleichenbacher), so with it both are the same refusal.
    if (algorithm === 'RSAES_PKCS1_V1_5' && secret.length !== bytes) {
      secret.fill(0);
      throw refused();
    }
    if (secret.length !== bytes) {
      secret.fill(0);
      throw new KeyholdError(KmsErrors.BadMaterialLength, `Invalid encrypted_key_material: it must hold ${bytes} bytes.`, 400);
    }
    return secret;
  }

  /** Keyed, so the fingerprint says nothing about the material to anyone without the vault. */
  private fingerprint(kind: HsmKeyKind, material: Buffer): string {
    return hmacSha256(hkdf32(this.wrappingKey, 'keyhold/v1/material-fingerprint'), kind, material).toString('hex');
  }

  publicKey(handle: KeyHandle): string {
    const info = KINDS[handle.kind];
    if (!isPair(info)) throw unsupported('Public-key export', handle.kind);
    if (info.pair === 'sm2') return sm2PublicKeyPem(this.sm2KeyOf(handle));
    return createPublicKey(this.keyOf(handle)).export({ format: 'pem', type: 'spki' }).toString();
  }
}
