/**
 * Where binding finds the key pair to bind: the key-pair records (keypairs/records.ts). The
 * public line goes into authorized_keys; a hosted private key, unsealed only for the length of
 * the task's proof login, lets callers bind without passing `keypair_private_key`.
 */
import type { KmsContext } from '../../kms/context.js';
import { findKeypair, unsealPrivateKey } from '../records.js';
import { BindingErrors, bindingError } from './errors.js';

/** The OpenSSH public line of key pair `name` and its hosted private key, if any; KPS.7001 (404) when there is none. */
export function keypairForBinding(ctx: KmsContext, name: string): { publicKey: string; hostedPrivateKey: string | null } {
  const record = findKeypair(ctx, name);
  if (!record) throw bindingError(BindingErrors.KeypairNotFound, `Key pair '${name}' does not exist.`, 404);
  return { publicKey: record.public_key, hostedPrivateKey: record.private_key ? unsealPrivateKey(ctx, record) : null };
}
