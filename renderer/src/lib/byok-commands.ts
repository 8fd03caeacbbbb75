/** The import guide's openssl commands that wrap key material for an import (docs/kms.md). */
import type { WrappingAlgorithm } from '../../../shared/constants.js';
import { KEY_SPEC_RULES } from '../../../shared/key-specs.js';

/** Bytes of material a symmetric key spec takes (AES_256: 32; SM4: 16; HMAC_256/384/512: 32/48/64; HMAC_SM3: 32). */
export function materialBytes(spec: string): number {
  if (spec === 'SM4') return 16;
  const m = /^HMAC_(\d+)$/.exec(spec);
  return m ? Number(m[1]) / 8 : 32;
}

/** A key pair's spec (RSA, EC, SM2, ED25519) is imported as a wrapped private key, not raw material. */
export function importsKeyPair(spec: string): boolean {
  const rules = (KEY_SPEC_RULES as Record<string, { symmetric: boolean } | undefined>)[spec];
  return rules !== undefined && !rules.symmetric;
}

/** `openssl genpkey` options making a key of each key-pair spec. */
const GENPKEY: Record<string, string> = {
  RSA_2048: '-algorithm RSA -pkeyopt rsa_keygen_bits:2048',
  RSA_3072: '-algorithm RSA -pkeyopt rsa_keygen_bits:3072',
  RSA_4096: '-algorithm RSA -pkeyopt rsa_keygen_bits:4096',
  EC_P256: '-algorithm EC -pkeyopt ec_paramgen_curve:P-256',
  EC_P384: '-algorithm EC -pkeyopt ec_paramgen_curve:P-384',
  SECP256K1: '-algorithm EC -pkeyopt ec_paramgen_curve:secp256k1',
  SM2: '-algorithm SM2',
  ED25519: '-algorithm ED25519',
};

function paddingOptions(algorithm: WrappingAlgorithm): string {
  return algorithm === 'RSAES_PKCS1_V1_5'
    ? '-pkeyopt rsa_padding_mode:pkcs1'
    : `-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:${algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256'}`;
}

/** The import guide's openssl commands for this wrapping algorithm and a symmetric key spec. */
export function opensslSteps(algorithm: WrappingAlgorithm, spec: string): string[] {
  return [
    `openssl rand -out PlaintextKeyMaterial.bin ${materialBytes(spec)}`,
    `openssl pkeyutl -encrypt -pubin -keyform der -inkey PublicKey.der ${paddingOptions(algorithm)} -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin`,
  ];
}

/**
 * The import guide's and FAQ 1.17's commands for a key pair, as shell lines: make (or bring) the
 * private key, convert it to PKCS#8 DER, wrap it with AES key wrap with padding (RFC 5649) under
 * a temporary AES-256 key, and wrap that key with the wrapping key. The first line (genpkey) is
 * the one to skip when bringing an existing PrivateKey.pem.
 */
export function opensslKeyPairSteps(algorithm: WrappingAlgorithm, spec: string): string[] {
  const generate = GENPKEY[spec];
  return [
    ...(generate ? [`openssl genpkey ${generate} -out PrivateKey.pem`] : []),
    'openssl pkcs8 -topk8 -nocrypt -in PrivateKey.pem -outform DER -out PrivateKey.p8.der',
    'openssl rand -out TempKey.bin 32',
    'openssl enc -id-aes256-wrap-pad -K $(xxd -p -c 64 TempKey.bin) -iv A65959A6 -in PrivateKey.p8.der -out EncryptedPrivateKey.bin',
    `openssl pkeyutl -encrypt -pubin -keyform der -inkey PublicKey.der ${paddingOptions(algorithm)} -in TempKey.bin -out EncryptedTempKey.bin`,
  ];
}
