/** Key-pair generation with node:crypto (native and fast; never node-forge's pure-JS RSA). */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { KEYPAIR_ALGORITHMS } from '../../../shared/operations/kps.js';
import { fromKeyObject, keyBits, type PrivateKey, type PublicKey } from './key.js';

const generate = promisify(generateKeyPair);

export type KeypairAlgorithm = (typeof KEYPAIR_ALGORITHMS)[number];

const CURVES = { SSH_ECDSA_256: 'prime256v1', SSH_ECDSA_384: 'secp384r1', SSH_ECDSA_521: 'secp521r1' } as const;

export async function generateKey(algorithm: KeypairAlgorithm): Promise<PrivateKey> {
  if (algorithm === 'SSH_ED25519') return fromKeyObject((await generate('ed25519')).privateKey, 'generated key');
  if (algorithm in CURVES) {
    return fromKeyObject((await generate('ec', { namedCurve: CURVES[algorithm as keyof typeof CURVES] })).privateKey, 'generated key');
  }
  const bits = Number(algorithm.slice('SSH_RSA_'.length));
  return fromKeyObject((await generate('rsa', { modulusLength: bits, publicExponent: 0x10001 })).privateKey, 'generated key');
}

/** The console's name for a key's algorithm, also for imported keys (SSH_RSA_2048, SSH_DSA_1024 …). */
export function algorithmOf(k: PublicKey): string {
  switch (k.type) {
    case 'ssh-rsa':
      return `SSH_RSA_${keyBits(k)}`;
    case 'ssh-dss':
      return `SSH_DSA_${keyBits(k)}`;
    case 'ssh-ed25519':
      return 'SSH_ED25519';
    default:
      return `SSH_ECDSA_${keyBits(k)}`;
  }
}
