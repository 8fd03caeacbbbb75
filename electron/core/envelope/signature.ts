/**
 * Detached file signatures (docs/file-signature.md): the file is hashed as a stream, the digest
 * is signed by an asymmetric CMK in KMS DIGEST mode, and the record — a small JSON document —
 * names everything a verifier needs except the public key, which it must get from somewhere it
 * trusts (the vault, or a PEM exported earlier). A signature over the digest is the standard
 * hash-then-sign signature of the file, so `openssl dgst -verify` checks it directly.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../../shared/constants.js';
import { FileErrors } from '../../../shared/operations/file.js';
import { openInput } from './io.js';
import { pump, type StreamHooks } from './pipeline.js';

export const RECORD_FORMAT = 'keyhold-file-signature';
export const RECORD_VERSION = 1;
/** Bytes read per batch while hashing. */
const HASH_BATCH_BYTES = 1024 * 1024;
/** A record is a few hundred bytes; anything far larger is not one. */
export const MAX_RECORD_BYTES = 64 * 1024;

export type DigestAlgorithm = 'SHA_256' | 'SHA_384' | 'SHA_512';
const NODE_HASH: Record<DigestAlgorithm, 'sha256' | 'sha384' | 'sha512'> = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };
const DIGEST_BYTES: Record<DigestAlgorithm, number> = { SHA_256: 32, SHA_384: 48, SHA_512: 64 };

export interface SignatureRecord {
  format: typeof RECORD_FORMAT;
  version: typeof RECORD_VERSION;
  key_id: string;
  signing_algorithm: SigningAlgorithm;
  digest_algorithm: DigestAlgorithm;
  /** Hex of the file's digest. */
  digest: string;
  /** Base64 of the signature (DER for ECDSA). */
  signature: string;
}

/** The digest a signing algorithm signs: its name's suffix (…_SHA_256 → SHA_256). */
/** File signatures sign a SHA-2 digest of the file: RSA and ECDSA only (SM2 and Ed25519 sign otherwise). */
export function signsFiles(alg: string): alg is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(alg) && /^(RSASSA_|ECDSA_)/.test(alg);
}

export function digestAlgorithmOf(alg: SigningAlgorithm): DigestAlgorithm {
  return alg.slice(alg.lastIndexOf('SHA_')) as DigestAlgorithm;
}

/** Hashes a file in constant memory, reads overlapped with hashing. */
export async function hashFile(path: string, alg: DigestAlgorithm, hooks: StreamHooks = {}): Promise<Buffer> {
  const { fh, size } = await openInput(path);
  try {
    const hash = createHash(NODE_HASH[alg]);
    const batch = Math.max(1, Math.min(HASH_BATCH_BYTES, size + 1));
    const consume = (chunk: Buffer): number => {
      hash.update(chunk);
      return 0;
    };
    await pump(fh, 0, batch, hooks, size, { outputBytes: 0, consume, write: async () => undefined, start: 0, leavesGarbage: false });
    return hash.digest();
  } finally {
    await fh.close();
  }
}

export function serializeRecord(r: SignatureRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

function malformed(what: string): KeyholdError {
  return new KeyholdError(FileErrors.SignatureMalformed, `Not a Keyhold signature record: ${what}.`, 400);
}

/** Parses a record; any other input is FILE.0401 naming the field. */
export function parseRecord(text: string): SignatureRecord {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw malformed('not JSON');
  }
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw malformed('not a JSON object');
  if (r.format !== RECORD_FORMAT) throw malformed(`format must be "${RECORD_FORMAT}"`);
  if (r.version !== RECORD_VERSION) throw malformed(`unsupported version ${JSON.stringify(r.version)}`);
  if (typeof r.key_id !== 'string' || !/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/.test(r.key_id)) throw malformed('bad key_id');
  const alg = r.signing_algorithm;
  if (typeof alg !== 'string' || !signsFiles(alg)) throw malformed('unknown signing_algorithm');
  const digestAlg = digestAlgorithmOf(alg as SigningAlgorithm);
  if (r.digest_algorithm !== digestAlg) throw malformed(`digest_algorithm must be ${digestAlg} for ${alg}`);
  const digestHex = DIGEST_BYTES[digestAlg] * 2;
  if (typeof r.digest !== 'string' || !new RegExp(`^[0-9a-f]{${digestHex}}$`).test(r.digest))
    throw malformed(`digest must be ${digestHex} lower-case hex digits`);
  if (typeof r.signature !== 'string' || !/^[A-Za-z0-9+/]{4,2048}={0,2}$/.test(r.signature)) throw malformed('signature must be base64');
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    key_id: r.key_id,
    signing_algorithm: alg as SigningAlgorithm,
    digest_algorithm: digestAlg,
    digest: r.digest,
    signature: r.signature,
  };
}

/** A PEM public key (SPKI, or a certificate's key); anything else is FILE.0401. */
export function parsePublicKey(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') throw new Error('not RSA or EC');
    return key;
  } catch {
    throw new KeyholdError(FileErrors.SignatureMalformed, 'The public key file is not a PEM RSA or EC public key.', 400);
  }
}
