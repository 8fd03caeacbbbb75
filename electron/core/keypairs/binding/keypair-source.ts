/**
 * Where binding finds the key pair to bind: the one seam between binding and the key-pair
 * records of issue 7 (SSH key pairs), which is not merged on this branch. It reads issue 7's
 * table `kps_keypairs` and its `public_key` field (the normalised OpenSSH line) directly.
 *
 * When issue 7 is merged, point this module at its store (`findKeypair` in keypairs/records.ts)
 * and, for key pairs whose private key is hosted, return `unsealPrivateKey(...)` as the proof
 * key so that callers need not pass `keypair_private_key`. Until then the proof key comes from
 * the request only.
 */
import type { RecordStore } from '../../vault/store.js';
import { BindingErrors, bindingError } from './errors.js';

export const KEYPAIR_TABLE = 'kps_keypairs';

interface KeypairPublicPart {
  name: string;
  public_key: string;
}

/** The OpenSSH public line of key pair `name`; KPS.7001 (404) when there is none. */
export function publicKeyOf(store: RecordStore, name: string): string {
  const record = store.read<KeypairPublicPart>(KEYPAIR_TABLE, name);
  if (!record || typeof record.public_key !== 'string') throw bindingError(BindingErrors.KeypairNotFound, `Key pair '${name}' does not exist.`, 404);
  return record.public_key;
}
