/**
 * `file` operations: envelope encryption (pipeline.ts) under local CMKs, and detached file
 * signatures (signature.ts) made and checked by the KMS's sign/verify in DIGEST mode, so every
 * KMS precondition (key enabled, SIGN_VERIFY usage, algorithm fits the key spec) applies.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { fileOperations } from '../../../shared/operations/file.js';
import { FileErrors } from '../../../shared/operations/file.js';
import { verifyMessage } from '../crypto/sign.js';
import { SIGNING } from '../kms/algorithms.js';
import { asymmetricHandlers } from '../kms/asymmetric.js';
import type { KmsContext } from '../kms/context.js';
import { getKey } from '../kms/keys.js';
import { KEY_SPEC_TABLE } from '../kms/key-specs.js';
import { atomicOutput } from './io.js';
import { localCmkKeyring, localVaultResolver } from './keyrings.js';
import { remoteKmsKeyring, remoteKmsResolver } from '../remote/keyring.js';
import { decryptFile, encryptFile, type StreamHooks } from './pipeline.js';
import {
  digestAlgorithmOf,
  hashFile,
  MAX_RECORD_BYTES,
  parsePublicKey,
  parseRecord,
  RECORD_FORMAT,
  RECORD_VERSION,
  serializeRecord,
  signsFiles,
} from './signature.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** The KMS context plus what the transport passes for long jobs (a progress bar, Ctrl-C). */
export interface FileContext extends KmsContext {
  hooks?: StreamHooks;
}

async function readSmall(path: string, what: string): Promise<string> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_RECORD_BYTES)
      throw new KeyholdError(FileErrors.SignatureMalformed, `The ${what} ${path} is larger than ${MAX_RECORD_BYTES} bytes.`, 400);
    return bytes.toString('utf8');
  } catch (e) {
    if (e instanceof KeyholdError) throw e;
    throw new KeyholdError(FileErrors.FileAccess, `Cannot read the ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 400);
  }
}

export const fileHandlers: Handlers<typeof fileOperations, FileContext> = {
  async fileEncrypt(ctx, input) {
    const keyIds = [input.key_id, ...(input.additional_key_ids ?? [])];
    if (new Set(keyIds).size !== keyIds.length) {
      throw new KeyholdError(LocalErrors.BadArgument, 'Invalid parameter additional_key_ids: each key may appear once (key_id included).', 400);
    }
    const r = await encryptFile(input.in, input.out, {
      keyrings: [...keyIds.map((id) => localCmkKeyring(ctx, id)), ...(input.remote_keys ?? []).map((k) => remoteKmsKeyring(ctx.store, k.remote, k.key_id))],
      context: input.encryption_context ?? {},
      frameSize: input.frame_size,
      hooks: ctx.hooks,
      replace: input.force === true,
    });
    return { key_id: input.key_id, bytes_in: r.bytesIn, bytes_out: r.bytesOut };
  },

  async fileDecrypt(ctx, input) {
    const r = await decryptFile(input.in, input.out, {
      resolvers: [localVaultResolver(ctx), remoteKmsResolver(ctx.store)],
      context: input.encryption_context,
      hooks: ctx.hooks,
    });
    return { key_id: r.dataKey.entry.keyId, bytes_out: r.bytesOut };
  },

  async fileSign(ctx, input) {
    const key = getKey(ctx, input.key_id);
    // The key spec's first signing algorithm is the default: PSS-SHA-256 for RSA, ECDSA-SHA-256 for EC.
    const algorithm = input.signing_algorithm ?? KEY_SPEC_TABLE[key.key_spec].signing[0];
    if (!algorithm || !signsFiles(algorithm)) {
      throw new KeyholdError(
        KmsErrors.Invalid,
        `Invalid ${algorithm ? 'signing_algorithm' : 'key_id'}: file signatures take an RSA or ECDSA key and algorithm (key_spec ${key.key_spec}${algorithm ? `, ${algorithm}` : ''}).`,
        400,
        'key.cannot-sign-files',
      );
    }
    const digestAlgorithm = digestAlgorithmOf(algorithm);
    const digest = await hashFile(input.in, digestAlgorithm, ctx.hooks);
    const { signature } = await asymmetricHandlers.sign(ctx, {
      key_id: key.key_id,
      message: digest.toString('base64'),
      signing_algorithm: algorithm,
      message_type: 'DIGEST',
    });
    const record = {
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      key_id: key.key_id,
      signing_algorithm: algorithm,
      digest_algorithm: digestAlgorithm,
      digest: digest.toString('hex'),
      signature,
    } as const;
    await atomicOutput(input.out, (fh) => writeFile(fh, serializeRecord(record)));
    return { key_id: key.key_id, signing_algorithm: algorithm, digest: record.digest };
  },

  async fileVerify(ctx, input) {
    const record = parseRecord(await readSmall(input.signature, 'signature record'));
    const publicKey = input.public_key === undefined ? undefined : parsePublicKey(await readSmall(input.public_key, 'public key'));
    const digest = await hashFile(input.in, record.digest_algorithm, ctx.hooks);
    // The file changed since it was signed: no need to ask the key.
    if (digest.toString('hex') !== record.digest) return { signature_valid: false };
    if (publicKey) {
      const { digestBytes: _, ...opts } = SIGNING[record.signing_algorithm];
      return { signature_valid: verifyMessage(publicKey, digest, Buffer.from(record.signature, 'base64'), { ...opts, prehashed: true }) };
    }
    const r = await asymmetricHandlers.verify(ctx, {
      key_id: record.key_id,
      message: digest.toString('base64'),
      signature: record.signature,
      signing_algorithm: record.signing_algorithm,
      message_type: 'DIGEST',
    });
    return { signature_valid: r.signature_valid === 'true' };
  },
};
