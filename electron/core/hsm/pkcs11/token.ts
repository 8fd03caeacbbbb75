/**
 * One key store's token, reached over PKCS#11 (pkcs11js): the HSM backend for CMKs that live in
 * it. Keys are generated inside the token as sensitive, never-extractable objects and used by
 * handle; nothing here reads or returns their material. What runs where:
 * - AES-256: CKM_AES_GCM (96-bit IV, 128-bit tag) in the token, same bytes as the software HSM.
 * - HMAC: CKM_SHA{256,384,512}_HMAC with a CKK_GENERIC_SECRET key in the token.
 * - RSA: signatures (CKM_RSA_PKCS over DigestInfo, CKM_RSA_PKCS_PSS) and OAEP decryption in the
 *   token; the message is hashed here, so RAW and DIGEST messages take the same path.
 * - EC: the digest is computed here and signed with CKM_ECDSA (tokens often lack the combined
 *   CKM_ECDSA_SHA256); the token's r‖s becomes the DER signature KMS returns.
 * - Verification, OAEP encryption and get-publickey use the public half only, read from the
 *   token's public object and applied with node:crypto.
 * Calls are synchronous (pkcs11js runs them on the calling thread); key generation uses the
 * module's asynchronous entry points, so an RSA-4096 key pair does not stall the event loop.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { KeyholdError, LocalErrors } from '../../../../shared/errors.js';
import type { WrappingAlgorithm } from '../../../../shared/constants.js';
import { GCM_IV_BYTES, GCM_TAG_BYTES, type SealAad, type Sealed } from '../../crypto/aead.js';
import { randomBytes } from '../../crypto/random.js';
import { digestInfo, oaepEncrypt, type HashName } from '../../crypto/rsa.js';
import { verifyMessage, type SignOptions } from '../../crypto/sign.js';
import type { HsmBackend, HsmKeyKind, KeyHandle, WrappedKey } from '../backend.js';
import { acquireModule, releaseModule, type Cryptoki } from './library.js';
import { ecdsaDer, ecPoint, trimmed } from './encoding.js';
import {
  CKZ_DATA_SPECIFIED,
  gcmParams,
  HASH_BYTES,
  HASH_MECHANISM,
  keyPairTemplates,
  MGF1,
  PAIR_KINDS,
  REFUSALS,
  rvName,
  SECRET_KINDS,
  secretKeyTemplate,
  type PairKind,
} from './mechanisms.js';
import { formatTokenRef, parseTokenRef } from './ref.js';

const P = pkcs11js;
type ObjectHandle = Buffer;

/** What a key store needs to reach its token; the PIN comes from the vault's sealed record. */
export interface TokenConfig {
  storeId: string;
  module: string;
  tokenLabel: string;
  pin: string;
  /** Set once the store exists: a token with the same label but another serial is not it. */
  tokenSerial?: string;
}

class TokenHandle implements KeyHandle {
  constructor(readonly kind: HsmKeyKind) {}
  toString(): string {
    return `[KeyHandle ${this.kind} in a token]`;
  }
  toJSON(): { kind: HsmKeyKind } {
    return { kind: this.kind };
  }
}

interface Loaded {
  token: Pkcs11Token;
  object: ObjectHandle;
  ref: string;
  publicKey?: KeyObject;
}
/** Module-private: what a handle refers to. Nothing outside this file can reach an object handle. */
const loadedOf = new WeakMap<KeyHandle, Loaded>();

/** The token backend behind a handle, or null for a handle of another backend. */
export function tokenOf(handle: KeyHandle): Pkcs11Token | null {
  return loadedOf.get(handle)?.token ?? null;
}

/** BYOK into a token needs what Keyhold does not do yet; the refusal names it. */
function importRefused(kind: HsmKeyKind): KeyholdError {
  return new KeyholdError(
    LocalErrors.Unsupported,
    `Importing ${kind} material into a PKCS#11 key store is not supported: it needs the import token's RSA wrapping key generated inside the same token and C_UnwrapKey with CKM_RSA_PKCS_OAEP, which Keyhold does not do yet.`,
    400,
  );
}

export class Pkcs11Token implements HsmBackend {
  private lost = false;
  private readonly handles = new Map<string, KeyHandle>();

  private constructor(
    readonly config: TokenConfig,
    private readonly lib: Cryptoki,
    private readonly modulePath: string,
    private readonly session: Buffer,
    readonly serial: string,
  ) {}

  /**
   * Loads the module (after its path check), finds the token by label (and serial, once known)
   * and logs in with the PIN. Each failure is its own typed error; nothing is left open.
   * `checkPin` (creating a store) refuses a token this process is already logged in to.
   */
  static open(config: TokenConfig, opts: { checkPin?: boolean } = {}): Pkcs11Token {
    const { lib, real } = acquireModule(config.module);
    let session: Buffer | undefined;
    try {
      const slot = lib.C_GetSlotList(true).find((s) => {
        const info = lib.C_GetTokenInfo(s);
        return trimmed(info.label) === config.tokenLabel && (config.tokenSerial === undefined || trimmed(info.serialNumber) === config.tokenSerial);
      });
      if (!slot) {
        const which = config.tokenSerial ? `label "${config.tokenLabel}" and serial ${config.tokenSerial}` : `label "${config.tokenLabel}"`;
        throw new KeyholdError(LocalErrors.KeyStoreTokenMissing, `No token with ${which} is present in ${config.module}.`, 503);
      }
      const serial = trimmed(lib.C_GetTokenInfo(slot).serialNumber);
      session = lib.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
      try {
        lib.C_Login(session, P.CKU_USER, config.pin);
      } catch (e) {
        const rv = rvName(e);
        if (rv === 'CKR_USER_ALREADY_LOGGED_IN') {
          // Another key store of this process (another vault's) is logged in to the same token and
          // the login is shared: the token did not look at this PIN, so a new store cannot take it.
          if (opts.checkPin) {
            throw new KeyholdError(
              LocalErrors.KeyStoreAliasExists,
              `The token "${config.tokenLabel}" is in use by another key store in this process, so its PIN cannot be checked now.`,
              400,
            );
          }
        } else if (
          rv === 'CKR_PIN_INCORRECT' ||
          rv === 'CKR_PIN_LEN_RANGE' ||
          rv === 'CKR_PIN_INVALID' ||
          rv === 'CKR_PIN_LOCKED' ||
          rv === 'CKR_PIN_EXPIRED'
        ) {
          throw new KeyholdError(LocalErrors.KeyStoreWrongPin, `The token "${config.tokenLabel}" refused the PIN (${rv}).`, 400);
        } else throw e;
      }
      return new Pkcs11Token(config, lib, real, session, serial);
    } catch (e) {
      if (session) {
        try {
          lib.C_CloseSession(session);
        } catch {
          // The session is gone with the module anyway.
        }
      }
      releaseModule(real);
      if (e instanceof KeyholdError) throw e;
      throw new KeyholdError(
        LocalErrors.KeyStoreUnavailable,
        `The token "${config.tokenLabel}" in ${config.module} cannot be opened (${rvName(e) || (e as Error).message}).`,
        503,
      );
    }
  }

  /** False once a call found the token or session gone; the key store then opens it afresh. */
  get usable(): boolean {
    return !this.lost;
  }

  /** Asks the token for its session state: a cheap call that fails when the token is gone. */
  ping(): void {
    if (this.lost) throw this.unavailable('its session was closed');
    try {
      this.lib.C_GetTokenInfo(this.lib.C_GetSessionInfo(this.session).slotID);
    } catch (e) {
      this.lost = true;
      throw this.unavailable(rvName(e) || (e as Error).message);
    }
  }

  /** Closes the session (the last one closed logs out) and lets go of the module. Never throws. */
  close(): void {
    this.lost = true;
    this.handles.clear();
    try {
      this.lib.C_CloseSession(this.session);
    } catch {
      // Closing a session whose token is gone fails; nothing is left to release.
    }
    releaseModule(this.modulePath);
  }

  /** Runs a PKCS#11 call; its failures become typed errors, and a lost token marks this one unusable. */
  private call<T>(what: string, fn: () => T): T {
    if (this.lost) throw this.unavailable('its session was closed');
    try {
      return fn();
    } catch (e) {
      // Only what the module reports is the token's failure; any other exception is a bug here.
      if (!(e instanceof P.NativeError) && !(e instanceof KeyholdError)) throw e;
      throw this.failure(e, what);
    }
  }

  /**
   * A refusal of the request (a mechanism or parameter the token lacks) leaves the session as it
   * is; anything else — the token gone, the session closed, an error the token does not explain —
   * marks this connection lost, so the next use opens the token afresh.
   */
  private failure(e: unknown, what: string): KeyholdError {
    if (e instanceof KeyholdError) return e;
    const rv = rvName(e);
    if (REFUSALS.has(rv)) {
      return new KeyholdError(
        LocalErrors.Unsupported,
        `The token "${this.config.tokenLabel}" cannot ${what}: it refuses the mechanism or its parameters (${rv}).`,
        400,
      );
    }
    this.lost = true;
    this.handles.clear();
    return this.unavailable(rv || (e as Error).message);
  }

  /**
   * SoftHSM2 answers a GCM tag or OAEP padding that does not verify with CKR_GENERAL_ERROR, the
   * same value as a real fault. So a failed decryption is "does not decrypt" (null) only when the
   * token still answers right after; otherwise it is the token's failure.
   */
  private notDecrypted(e: unknown): null {
    const rv = rvName(e);
    if (rv === 'CKR_ENCRYPTED_DATA_INVALID' || rv === 'CKR_ENCRYPTED_DATA_LEN_RANGE') return null;
    if (rv !== 'CKR_GENERAL_ERROR') throw e;
    try {
      this.lib.C_GetSessionInfo(this.session);
    } catch {
      throw e;
    }
    return null;
  }

  private unavailable(why: string): KeyholdError {
    return new KeyholdError(
      LocalErrors.KeyStoreUnavailable,
      `The key store ${this.config.storeId} is unavailable: the token "${this.config.tokenLabel}" cannot be reached (${why}).`,
      503,
    );
  }

  async generate(kind: HsmKeyKind): Promise<WrappedKey> {
    const id = randomBytes(16);
    const secret = SECRET_KINDS[kind];
    if (!secret && !PAIR_KINDS[kind]) {
      throw new KeyholdError(
        LocalErrors.Unsupported,
        `A PKCS#11 key store cannot hold ${kind} keys yet (AES-256, HMAC-SHA, RSA and NIST/secp256k1 EC keys only).`,
        400,
      );
    }
    if (this.lost) throw this.unavailable('its session was closed');
    try {
      if (secret) {
        await this.lib.C_GenerateKeyAsync(this.session, { mechanism: secret.gen }, secretKeyTemplate(secret, id));
      } else {
        const pair = PAIR_KINDS[kind] as PairKind;
        const { pub, priv } = keyPairTemplates(pair, id);
        await this.lib.C_GenerateKeyPairAsync(
          this.session,
          { mechanism: pair.rsaBits !== undefined ? P.CKM_RSA_PKCS_KEY_PAIR_GEN : P.CKM_EC_KEY_PAIR_GEN },
          pub,
          priv,
        );
      }
    } catch (e) {
      if (!(e instanceof P.NativeError)) throw e;
      throw this.failure(e, `generate a ${kind} key`);
    }
    return formatTokenRef({ storeId: this.config.storeId, kind, objectId: id });
  }

  /**
   * Destroys every object of a CMK version (a key pair's private and public halves share its
   * CKA_ID) once its key is deleted. Idempotent: no object with the id is nothing to do, so a
   * deletion interrupted after the destroy completes on the next try.
   */
  destroy(wrapped: WrappedKey): number {
    const ref = parseTokenRef(wrapped);
    if (!ref || ref.storeId !== this.config.storeId)
      throw new KeyholdError(LocalErrors.RecordCorrupt, `A key reference does not belong to key store ${this.config.storeId}.`, 500);
    this.handles.delete(wrapped);
    return this.call(`destroy key ${ref.objectId.toString('hex')}`, () => {
      this.lib.C_FindObjectsInit(this.session, [{ type: P.CKA_ID, value: ref.objectId }]);
      let objects: ObjectHandle[];
      try {
        objects = this.lib.C_FindObjects(this.session, 8);
      } finally {
        this.lib.C_FindObjectsFinal(this.session);
      }
      for (const o of objects) this.lib.C_DestroyObject(this.session, o);
      return objects.length;
    });
  }

  wrap(kind: HsmKeyKind): WrappedKey {
    throw new KeyholdError(
      LocalErrors.Unsupported,
      `Key material for ${kind} cannot be put into a PKCS#11 key store in the clear; keys there are generated inside the token.`,
      400,
    );
  }

  private findOne(cls: number, id: Buffer): ObjectHandle | null {
    this.lib.C_FindObjectsInit(this.session, [
      { type: P.CKA_CLASS, value: cls },
      { type: P.CKA_ID, value: id },
    ]);
    try {
      const found = this.lib.C_FindObjects(this.session, 2);
      if (found.length > 1)
        throw new KeyholdError(
          LocalErrors.KeyStoreKeyMissing,
          `The token "${this.config.tokenLabel}" holds more than one object with id ${id.toString('hex')}; Keyhold will not guess which is the key.`,
          500,
        );
      return found[0] ?? null;
    } finally {
      this.lib.C_FindObjectsFinal(this.session);
    }
  }

  private bool(object: ObjectHandle, attr: number): boolean {
    const [a] = this.lib.C_GetAttributeValue(this.session, object, [{ type: attr }]);
    return a?.value?.[0] === 1;
  }

  /**
   * The handle of a CMK version kept in this token. The object must exist and still be
   * sensitive and never-extractable (a planted object with the same id that is not is refused).
   */
  unwrap(wrapped: WrappedKey): KeyHandle {
    const cached = this.handles.get(wrapped);
    if (cached && !this.lost) return cached;
    const ref = parseTokenRef(wrapped);
    if (!ref || ref.storeId !== this.config.storeId)
      throw new KeyholdError(LocalErrors.RecordCorrupt, `A key reference does not belong to key store ${this.config.storeId}.`, 500);
    return this.call(`find key ${ref.objectId.toString('hex')}`, () => {
      const secret = SECRET_KINDS[ref.kind] !== undefined;
      const object = this.findOne(secret ? P.CKO_SECRET_KEY : P.CKO_PRIVATE_KEY, ref.objectId);
      if (!object)
        throw new KeyholdError(
          LocalErrors.KeyStoreKeyMissing,
          `The token "${this.config.tokenLabel}" has no key with id ${ref.objectId.toString('hex')} (deleted, or another token with the same label).`,
          500,
        );
      if (!this.bool(object, P.CKA_SENSITIVE) || this.bool(object, P.CKA_EXTRACTABLE) || !this.bool(object, P.CKA_NEVER_EXTRACTABLE)) {
        throw new KeyholdError(
          LocalErrors.KeyStoreKeyMissing,
          `The key ${ref.objectId.toString('hex')} in token "${this.config.tokenLabel}" is not sensitive and never-extractable; Keyhold does not use it.`,
          500,
        );
      }
      const handle = new TokenHandle(ref.kind);
      loadedOf.set(handle, { token: this, object, ref: wrapped });
      this.handles.set(wrapped, handle);
      return handle;
    });
  }

  private loaded(handle: KeyHandle): Loaded {
    const l = loadedOf.get(handle);
    if (!l || l.token !== this) throw new KeyholdError(LocalErrors.VaultLocked, 'Key handle is no longer valid.', 400);
    if (this.lost) throw this.unavailable('its session was closed');
    return l;
  }

  private unsupported(what: string, kind: HsmKeyKind): KeyholdError {
    return new KeyholdError(LocalErrors.Unsupported, `${what} is not supported by a ${kind} key.`, 400);
  }

  /**
   * The IV is drawn here, in Node's CSPRNG, not by the token: PKCS#11 v2.40's GCM parameters
   * take the IV in (SoftHSM2 does not generate one), so the backend owns it as the software
   * HSM does.
   */
  seal(handle: KeyHandle, plaintext: Buffer, aad: SealAad): Sealed {
    if (handle.kind !== 'aes-256') throw this.unsupported('Symmetric encryption', handle.kind);
    const { object } = this.loaded(handle);
    const iv = randomBytes(GCM_IV_BYTES);
    const bytes = Buffer.from(typeof aad === 'function' ? aad(iv) : aad);
    const out = this.call('encrypt with AES-GCM', () => {
      this.lib.C_EncryptInit(this.session, { mechanism: P.CKM_AES_GCM, parameter: gcmParams(iv, bytes) }, object);
      return this.lib.C_Encrypt(this.session, plaintext, Buffer.alloc(plaintext.length + GCM_TAG_BYTES));
    });
    return { iv, ciphertext: Buffer.from(out.subarray(0, out.length - GCM_TAG_BYTES)), tag: Buffer.from(out.subarray(out.length - GCM_TAG_BYTES)) };
  }

  open(handle: KeyHandle, { iv, ciphertext, tag }: Sealed, aad: Buffer): Buffer | null {
    if (handle.kind !== 'aes-256') throw this.unsupported('Symmetric decryption', handle.kind);
    if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) return null;
    const { object } = this.loaded(handle);
    return this.call('decrypt with AES-GCM', () => {
      this.lib.C_DecryptInit(this.session, { mechanism: P.CKM_AES_GCM, parameter: gcmParams(iv, aad) }, object);
      try {
        return Buffer.from(this.lib.C_Decrypt(this.session, Buffer.concat([ciphertext, tag]), Buffer.alloc(ciphertext.length + 16)));
      } catch (e) {
        // The tag did not verify: the same answer as the software HSM's, not a token failure.
        return this.notDecrypted(e);
      }
    });
  }

  mac(handle: KeyHandle, data: Buffer): Buffer {
    const mechanism = SECRET_KINDS[handle.kind]?.mac;
    if (!mechanism) throw this.unsupported('MAC generation', handle.kind);
    const { object } = this.loaded(handle);
    return this.call('compute an HMAC', () => {
      this.lib.C_SignInit(this.session, { mechanism }, object);
      return Buffer.from(this.lib.C_Sign(this.session, data, Buffer.alloc(64)));
    });
  }

  sign(handle: KeyHandle, data: Buffer, opts: SignOptions): Buffer {
    const pair = PAIR_KINDS[handle.kind];
    const hash = opts.hash;
    if (!pair || hash === 'sm3') throw this.unsupported('Signing', handle.kind);
    const { object } = this.loaded(handle);
    const digest = opts.prehashed ? data : createHash(hash).update(data).digest();
    if (digest.length !== HASH_BYTES[hash]) throw new RangeError(`A ${hash} digest is ${HASH_BYTES[hash]} bytes.`);
    return this.call('sign', () => {
      if (pair.rsaBits === undefined) {
        this.lib.C_SignInit(this.session, { mechanism: P.CKM_ECDSA }, object);
        return ecdsaDer(Buffer.from(this.lib.C_Sign(this.session, digest, Buffer.alloc(132))));
      }
      const out = Buffer.alloc(pair.rsaBits / 8);
      if (opts.padding === 'pss') {
        const parameter = { type: P.CK_PARAMS_RSA_PSS, hashAlg: HASH_MECHANISM[hash], mgf: MGF1[hash], saltLen: HASH_BYTES[hash] };
        this.lib.C_SignInit(this.session, { mechanism: P.CKM_RSA_PKCS_PSS, parameter }, object);
        return Buffer.from(this.lib.C_Sign(this.session, digest, out));
      }
      this.lib.C_SignInit(this.session, { mechanism: P.CKM_RSA_PKCS }, object);
      return Buffer.from(this.lib.C_Sign(this.session, digestInfo(hash, digest), out));
    });
  }

  /** The public half, read once from the token's public object with the same CKA_ID. */
  private publicKeyObject(handle: KeyHandle): KeyObject {
    const l = this.loaded(handle);
    if (l.publicKey) return l.publicKey;
    const pair = PAIR_KINDS[handle.kind];
    if (!pair) throw this.unsupported('Public-key export', handle.kind);
    const ref = parseTokenRef(l.ref) as NonNullable<ReturnType<typeof parseTokenRef>>;
    const key = this.call('read a public key', () => {
      const pub = this.findOne(P.CKO_PUBLIC_KEY, ref.objectId);
      if (!pub)
        throw new KeyholdError(
          LocalErrors.KeyStoreKeyMissing,
          `The token "${this.config.tokenLabel}" has no public key with id ${ref.objectId.toString('hex')}.`,
          500,
        );
      if (pair.rsaBits !== undefined) {
        const [n, e] = this.lib.C_GetAttributeValue(this.session, pub, [{ type: P.CKA_MODULUS }, { type: P.CKA_PUBLIC_EXPONENT }]);
        return createPublicKey({
          key: { kty: 'RSA', n: (n?.value as Buffer).toString('base64url'), e: (e?.value as Buffer).toString('base64url') },
          format: 'jwk',
        });
      }
      const [point] = this.lib.C_GetAttributeValue(this.session, pub, [{ type: P.CKA_EC_POINT }]);
      const { x, y } = ecPoint(point?.value as Buffer);
      return createPublicKey({ key: { kty: 'EC', crv: pair.jwkCurve as string, x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
    });
    l.publicKey = key;
    return key;
  }

  verify(handle: KeyHandle, data: Buffer, signature: Buffer, opts: SignOptions): boolean {
    if (!PAIR_KINDS[handle.kind]) throw this.unsupported('Verification', handle.kind);
    return verifyMessage(this.publicKeyObject(handle), data, signature, opts);
  }

  rsaEncrypt(handle: KeyHandle, hash: HashName, plaintext: Buffer): Buffer {
    if (PAIR_KINDS[handle.kind]?.rsaBits === undefined) throw this.unsupported('RSA encryption', handle.kind);
    return oaepEncrypt(this.publicKeyObject(handle), hash, plaintext);
  }

  sm2Encrypt(handle: KeyHandle): Buffer {
    throw this.unsupported('SM2 encryption', handle.kind);
  }

  sm2Decrypt(handle: KeyHandle): Buffer | null {
    throw this.unsupported('SM2 decryption', handle.kind);
  }

  rsaDecrypt(handle: KeyHandle, hash: HashName, ciphertext: Buffer): Buffer | null {
    const bits = PAIR_KINDS[handle.kind]?.rsaBits;
    if (bits === undefined) throw this.unsupported('RSA decryption', handle.kind);
    const { object } = this.loaded(handle);
    return this.call(`decrypt with RSA-OAEP (${hash})`, () => {
      const parameter = { type: P.CK_PARAMS_RSA_OAEP, hashAlg: HASH_MECHANISM[hash], mgf: MGF1[hash], source: CKZ_DATA_SPECIFIED };
      this.lib.C_DecryptInit(this.session, { mechanism: P.CKM_RSA_PKCS_OAEP, parameter }, object);
      try {
        return Buffer.from(this.lib.C_Decrypt(this.session, ciphertext, Buffer.alloc(bits / 8)));
      } catch (e) {
        return this.notDecrypted(e);
      }
    });
  }

  importWrapped(_wrappingKey: KeyHandle, _algorithm: WrappingAlgorithm, _encrypted: Buffer, kind: HsmKeyKind): { wrapped: WrappedKey; fingerprint: string } {
    throw importRefused(kind);
  }

  importWrappedPrivateKey(
    _wrappingKey: KeyHandle,
    _algorithm: WrappingAlgorithm,
    _tempKey: Buffer,
    _privateKey: Buffer,
    kind: HsmKeyKind,
  ): { wrapped: WrappedKey; fingerprint: string } {
    throw importRefused(kind);
  }

  publicKey(handle: KeyHandle): string {
    return this.publicKeyObject(handle).export({ format: 'pem', type: 'spki' }).toString();
  }
}
