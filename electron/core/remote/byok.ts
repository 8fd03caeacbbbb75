/**
 * Bring your own key to a remote KMS (the seed's import guide, done by Keyhold instead of
 * openssl one-liners): get-parameters-for-import on the remote, wrap the 32-byte material here
 * with its RSA wrapping key, import-key-material with the token. The plaintext material never
 * crosses the network; a copy is kept only where the user asks (material_out, mode 0600).
 * A key pair (private_key_file) travels as the import guide and FAQ 1.17 say: its PKCS#8 DER
 * wrapped with AES key wrap with padding (RFC 5649) under a fresh temporary AES-256 key
 * (`encrypted_privatekey`), the temporary key wrapped like symmetric material.
 */
import { constants, createPrivateKey, createPublicKey, publicEncrypt, type KeyObject } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { KeyholdError } from '../../../shared/errors.js';
import { kwpWrap } from '../crypto/aes-kwp.js';
import { randomBytes } from '../crypto/random.js';
import { remoteRequest, type HttpDeps } from './http-client.js';
import { endpointOf, type RemoteRecord } from './endpoint.js';
import { RemoteErrors } from './errors.js';

const MATERIAL_BYTES = 32;

export type WrappingAlgorithm = 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'RSAES_PKCS1_V1_5';

/** Encrypts key material for import with the remote's wrapping key (base64 DER SPKI). */
export function wrapForImport(material: Buffer, publicKeyDerB64: string, algorithm: WrappingAlgorithm): Buffer {
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(publicKeyDerB64, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new KeyholdError(RemoteErrors.BadAnswer, 'The remote wrapping key is not an RSA public key in DER form.', 502);
  }
  if (algorithm === 'RSAES_PKCS1_V1_5') return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, material);
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' }, material);
}

function readMaterial(path: string): Buffer {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch {
    throw new KeyholdError(RemoteErrors.Invalid, `Invalid parameter material_file: cannot read ${path}.`, 400);
  }
  if (b.length !== MATERIAL_BYTES)
    throw new KeyholdError(
      RemoteErrors.Invalid,
      `Invalid parameter material_file: AES-256 key material is ${MATERIAL_BYTES} bytes, ${path} has ${b.length}.`,
      400,
    );
  return b;
}

/**
 * A private-key file (PEM, or DER as PKCS#8, SEC1 or PKCS#1; unencrypted) as PKCS#8 DER, the form
 * the import guide wraps. The remote checks it is of the CMK's spec.
 */
function readPrivateKey(path: string): Buffer {
  const refused = (why: string) => new KeyholdError(RemoteErrors.Invalid, `Invalid parameter private_key_file: ${path} ${why}`, 400);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw refused('cannot be read.');
  }
  if (bytes.length > 16384) throw refused('is larger than any private key the KMS imports.');
  let key: KeyObject | undefined;
  const pem = bytes.subarray(0, 11).toString('latin1') === '-----BEGIN ';
  for (const type of pem ? [undefined] : (['pkcs8', 'sec1', 'pkcs1'] as const)) {
    try {
      key = pem
        ? createPrivateKey({ key: bytes, format: 'pem', passphrase: '' })
        : createPrivateKey({ key: bytes, format: 'der', type: type as 'pkcs8' | 'sec1' | 'pkcs1' });
      break;
    } catch {
      // the next form
    }
  }
  bytes.fill(0);
  if (!key) throw refused('is not an unencrypted private key (PEM, or DER as PKCS#8, SEC1 or PKCS#1); decrypt it first, e.g. openssl pkcs8 -topk8 -nocrypt.');
  return key.export({ format: 'der', type: 'pkcs8' });
}

export async function byokToRemote(
  remote: RemoteRecord,
  input: {
    key_id: string;
    wrapping_algorithm: WrappingAlgorithm;
    material_file?: string;
    material_out?: string;
    private_key_file?: string;
    expiration_time?: number;
  },
  http?: HttpDeps,
): Promise<{ material_source: 'generated' | 'file' | 'private_key_file' }> {
  if (input.private_key_file && (input.material_file || input.material_out)) {
    throw new KeyholdError(
      RemoteErrors.Invalid,
      'Invalid parameter private_key_file: it brings a key pair, so material_file and material_out (symmetric material) do not go with it.',
      400,
    );
  }
  const privateKey = input.private_key_file ? readPrivateKey(input.private_key_file) : null;
  // For a key pair the wrapped "material" is the temporary AES-256 key that wraps the private key.
  const material = input.material_file ? readMaterial(input.material_file) : randomBytes(MATERIAL_BYTES);
  // The escrow file is claimed before anything is imported, so an import never succeeds
  // without its copy being writable; it is removed again if the import fails.
  let escrow: number | null = null;
  if (input.material_out && !input.material_file) {
    try {
      escrow = openSync(input.material_out, 'wx', 0o600);
    } catch {
      material.fill(0);
      throw new KeyholdError(RemoteErrors.Invalid, `Invalid parameter material_out: ${input.material_out} exists or cannot be created.`, 400);
    }
  }
  let imported = false;
  try {
    const base = `/v1.0/${remote.project_id}/kms`;
    const { body } = await remoteRequest(
      endpointOf(remote),
      { method: 'POST', path: `${base}/get-parameters-for-import`, body: { key_id: input.key_id, wrapping_algorithm: input.wrapping_algorithm } },
      http,
    );
    const params = body as { import_token?: unknown; public_key?: unknown } | undefined;
    if (typeof params?.import_token !== 'string' || typeof params.public_key !== 'string') {
      throw new KeyholdError(RemoteErrors.BadAnswer, 'The remote get-parameters-for-import answer lacks import_token or public_key.', 502);
    }
    const wrapped = wrapForImport(material, params.public_key, input.wrapping_algorithm);
    const encryptedPrivateKey = privateKey ? kwpWrap(material, privateKey) : null;
    await remoteRequest(
      endpointOf(remote),
      {
        method: 'POST',
        path: `${base}/import-key-material`,
        body: {
          key_id: input.key_id,
          import_token: params.import_token,
          encrypted_key_material: wrapped.toString('base64'),
          ...(encryptedPrivateKey ? { encrypted_privatekey: encryptedPrivateKey.toString('base64') } : {}),
          ...(input.expiration_time ? { expiration_time: input.expiration_time } : {}),
        },
      },
      http,
    );
    imported = true;
    if (escrow !== null) writeSync(escrow, material);
    return { material_source: privateKey ? 'private_key_file' : input.material_file ? 'file' : 'generated' };
  } finally {
    material.fill(0);
    privateKey?.fill(0);
    if (escrow !== null) {
      closeSync(escrow);
      if (!imported) rmSync(input.material_out as string, { force: true });
    }
  }
}
