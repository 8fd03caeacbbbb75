/**
 * What each key kind is in PKCS#11 terms: key types, generation mechanisms, the templates keys
 * are created with (sensitive, never extractable, every use they are not for switched off),
 * hash and MGF1 mechanisms, GCM parameters, and which return values refuse a request.
 */
import pkcs11js from 'pkcs11js';
import type { HsmKeyKind } from '../backend.js';

const P = pkcs11js;

export interface SecretKind {
  keyType: number;
  gen: number;
  bytes: number;
  mac?: number;
}
export interface PairKind {
  rsaBits?: number;
  /** DER of the curve's OID (CKA_EC_PARAMS) and its JWK name. */
  ecParams?: string;
  jwkCurve?: string;
}

export const SECRET_KINDS: Partial<Record<HsmKeyKind, SecretKind>> = {
  'aes-256': { keyType: P.CKK_AES, gen: P.CKM_AES_KEY_GEN, bytes: 32 },
  'hmac-sha256': { keyType: P.CKK_GENERIC_SECRET, gen: P.CKM_GENERIC_SECRET_KEY_GEN, bytes: 32, mac: P.CKM_SHA256_HMAC },
  'hmac-sha384': { keyType: P.CKK_GENERIC_SECRET, gen: P.CKM_GENERIC_SECRET_KEY_GEN, bytes: 48, mac: P.CKM_SHA384_HMAC },
  'hmac-sha512': { keyType: P.CKK_GENERIC_SECRET, gen: P.CKM_GENERIC_SECRET_KEY_GEN, bytes: 64, mac: P.CKM_SHA512_HMAC },
};
export const PAIR_KINDS: Partial<Record<HsmKeyKind, PairKind>> = {
  'rsa-2048': { rsaBits: 2048 },
  'rsa-3072': { rsaBits: 3072 },
  'rsa-4096': { rsaBits: 4096 },
  'ec-p256': { ecParams: '06082a8648ce3d030107', jwkCurve: 'P-256' },
  'ec-p384': { ecParams: '06052b81040022', jwkCurve: 'P-384' },
  'ec-secp256k1': { ecParams: '06052b8104000a', jwkCurve: 'secp256k1' },
};

export const HASH_MECHANISM = { sha1: P.CKM_SHA_1, sha256: P.CKM_SHA256, sha384: P.CKM_SHA384, sha512: P.CKM_SHA512 } as const;
export const MGF1 = { sha1: P.CKG_MGF1_SHA1, sha256: P.CKG_MGF1_SHA256, sha384: P.CKG_MGF1_SHA384, sha512: P.CKG_MGF1_SHA512 } as const;
export const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** CKZ_DATA_SPECIFIED (PKCS#11 §2.1.8): the OAEP label is the empty string, as node:crypto's default. */
export const CKZ_DATA_SPECIFIED = 1;

/** GCM parameters in PKCS#11 v2.40's layout (with ulIvBits), which SoftHSM2 and current HSMs read. */
export function gcmParams(iv: Buffer, aad: Buffer): pkcs11js.AesGCM {
  return { type: P.CK_PARAMS_AES_GCM_v240, iv, aad, ivBits: iv.length * 8, tagBits: 128 };
}

/** Return values that refuse the request itself (the token is fine; it lacks what was asked). */
export const REFUSALS = new Set([
  'CKR_MECHANISM_INVALID',
  'CKR_MECHANISM_PARAM_INVALID',
  'CKR_ARGUMENTS_BAD',
  'CKR_KEY_SIZE_RANGE',
  'CKR_DOMAIN_PARAMS_INVALID',
  'CKR_CURVE_NOT_SUPPORTED',
  'CKR_TEMPLATE_INCONSISTENT',
  'CKR_ATTRIBUTE_VALUE_INVALID',
  'CKR_KEY_FUNCTION_NOT_PERMITTED',
  'CKR_KEY_TYPE_INCONSISTENT',
  'CKR_DATA_LEN_RANGE',
]);

/** The CKR_* name of a pkcs11js error ('' for anything else). */
export function rvName(e: unknown): string {
  return e instanceof P.Pkcs11Error ? e.message : '';
}

function common(id: Buffer): pkcs11js.Template {
  return [
    { type: P.CKA_TOKEN, value: true },
    { type: P.CKA_ID, value: id },
    { type: P.CKA_LABEL, value: `keyhold-${id.toString('hex')}` },
  ];
}

/** Private and secret keys: readable by nobody, their material never leaving the token. */
function kept(): pkcs11js.Template {
  return [
    { type: P.CKA_PRIVATE, value: true },
    { type: P.CKA_SENSITIVE, value: true },
    { type: P.CKA_EXTRACTABLE, value: false },
    { type: P.CKA_MODIFIABLE, value: false },
  ];
}

export function secretKeyTemplate(secret: SecretKind, id: Buffer): pkcs11js.Template {
  const aes = secret.keyType === P.CKK_AES;
  return [
    ...common(id),
    ...kept(),
    { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
    { type: P.CKA_KEY_TYPE, value: secret.keyType },
    { type: P.CKA_VALUE_LEN, value: secret.bytes },
    { type: P.CKA_ENCRYPT, value: aes },
    { type: P.CKA_DECRYPT, value: aes },
    { type: P.CKA_SIGN, value: !aes },
    { type: P.CKA_VERIFY, value: !aes },
    { type: P.CKA_WRAP, value: false },
    { type: P.CKA_UNWRAP, value: false },
    { type: P.CKA_DERIVE, value: false },
  ];
}

export function keyPairTemplates(pair: PairKind, id: Buffer): { pub: pkcs11js.Template; priv: pkcs11js.Template } {
  const rsa = pair.rsaBits !== undefined;
  // Every use a key is not for is switched off explicitly: tokens default some to on (SoftHSM2
  // gives an EC private key CKA_DECRYPT and a public key CKA_WRAP).
  const pub: pkcs11js.Template = [
    ...common(id),
    { type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY },
    { type: P.CKA_PRIVATE, value: false },
    { type: P.CKA_VERIFY, value: true },
    { type: P.CKA_ENCRYPT, value: rsa },
    { type: P.CKA_WRAP, value: false },
    { type: P.CKA_DERIVE, value: false },
  ];
  const priv: pkcs11js.Template = [
    ...common(id),
    ...kept(),
    { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
    { type: P.CKA_SIGN, value: true },
    { type: P.CKA_DECRYPT, value: rsa },
    { type: P.CKA_DERIVE, value: false },
    { type: P.CKA_UNWRAP, value: false },
  ];
  if (rsa) {
    pub.push(
      { type: P.CKA_KEY_TYPE, value: P.CKK_RSA },
      { type: P.CKA_MODULUS_BITS, value: pair.rsaBits as number },
      { type: P.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    );
    priv.push({ type: P.CKA_KEY_TYPE, value: P.CKK_RSA });
  } else {
    pub.push({ type: P.CKA_KEY_TYPE, value: P.CKK_EC }, { type: P.CKA_EC_PARAMS, value: Buffer.from(pair.ecParams as string, 'hex') });
    priv.push({ type: P.CKA_KEY_TYPE, value: P.CKK_EC });
  }
  return { pub, priv };
}
