/** The import guide's openssl commands that wrap key material for an import (docs/kms.md). */
import type { WrappingAlgorithm } from '../../../shared/constants.js';

/** Bytes of material a key spec takes (AES_256: 32; HMAC_256/384/512: 32/48/64). */
export function materialBytes(spec: string): number {
  const m = /^HMAC_(\d+)$/.exec(spec);
  return m ? Number(m[1]) / 8 : 32;
}

/** The import guide's openssl commands for this wrapping algorithm and key spec. */
export function opensslSteps(algorithm: WrappingAlgorithm, spec: string): string[] {
  const padding =
    algorithm === 'RSAES_PKCS1_V1_5'
      ? '-pkeyopt rsa_padding_mode:pkcs1'
      : `-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:${algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256'}`;
  return [
    `openssl rand -out PlaintextKeyMaterial.bin ${materialBytes(spec)}`,
    `openssl pkeyutl -encrypt -pubin -keyform der -inkey PublicKey.der ${padding} -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin`,
  ];
}
