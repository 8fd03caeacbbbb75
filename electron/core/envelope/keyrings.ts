/**
 * Keyrings: who wraps a file's data key on encrypt, and who can unwrap one on decrypt. A file
 * may carry several encrypted data keys; any one keyring that unwraps one of them decrypts the
 * file. The local keyring wraps with a CMK of this vault through the HSM (as encrypt-data does);
 * a remote keyring (another Keyhold, Huawei Cloud KMS) implements the same two interfaces with
 * `remote-kms` entries.
 *
 * Every data key is wrapped with the header's key binding (magic … encryption context) as AAD,
 * so a data key cannot be lifted into another file's header or another context.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { FileErrors } from '../../../shared/operations/file.js';
import { concatSealed, GCM_IV_BYTES, GCM_TAG_BYTES, splitSealed } from '../crypto/aead.js';
import type { KmsContext } from '../kms/context.js';
import { KMS_REFUSALS, type Refusals } from '../kms/refusals.js';
import { findKey, requireWrappingKey, unwrapUnderCmk, wrapUnderCmk } from '../kms/wrap.js';
import { DATA_KEY_BYTES, type EncryptedDataKey } from './format.js';

export interface Keyring {
  /** Wraps `dataKey` for this keyring's key, bound to `binding`. */
  wrap(dataKey: Buffer, binding: Buffer): Promise<EncryptedDataKey>;
}

export interface KeyringResolver {
  /**
   * The data key of `edk`, or null when this resolver has no key for its entry. Throws when it
   * has the key but cannot use it (disabled: KMS.0209 …) or the wrapped key does not
   * authenticate (FILE.0105).
   */
  unwrap(edk: EncryptedDataKey, binding: Buffer): Promise<Buffer | null>;
}

/** A CMK's own refusals keep KMS's codes; a data key that does not unwrap is an edited header. */
const FILE_REFUSALS: Refusals = {
  ...KMS_REFUSALS,
  'missing-version': [FileErrors.HeaderTampered, 400],
  'does-not-authenticate': [FileErrors.HeaderTampered, 400],
};

/** Wraps with one CMK of the local vault (its current version). */
export function localCmkKeyring(ctx: KmsContext, keyId: string): Keyring {
  return {
    async wrap(dataKey, binding) {
      const key = requireWrappingKey(ctx, { key_id: keyId }, FILE_REFUSALS);
      const w = wrapUnderCmk(ctx, key, dataKey, binding);
      return { entry: { type: 'local-cmk', keyId: w.keyId, keyVersion: w.keyVersion }, ciphertext: concatSealed(w) };
    },
  };
}

/** Unwraps `local-cmk` entries whose CMK this vault holds, at the version the entry names. */
export function localVaultResolver(ctx: KmsContext): KeyringResolver {
  return {
    async unwrap({ entry, ciphertext }, binding) {
      if (entry.type !== 'local-cmk' || !findKey(ctx, { key_id: entry.keyId })) return null;
      const key = requireWrappingKey(ctx, { key_id: entry.keyId }, FILE_REFUSALS);
      const what = `The envelope header does not authenticate: the data key for CMK ${key.key_id}`;
      const sealed = ciphertext.length === GCM_IV_BYTES + DATA_KEY_BYTES + GCM_TAG_BYTES ? splitSealed(ciphertext) : null;
      if (!sealed)
        throw new KeyholdError(
          FileErrors.HeaderTampered,
          `${what} is not ${GCM_IV_BYTES + DATA_KEY_BYTES + GCM_TAG_BYTES} bytes.`,
          400,
          'wrap.does-not-authenticate',
        );
      return unwrapUnderCmk(ctx, key, { keyId: entry.keyId, keyVersion: entry.keyVersion, ...sealed }, binding, FILE_REFUSALS, what);
    },
  };
}

/**
 * The first data key any resolver unwraps. When none does, the most telling error wins: a key
 * this vault holds but cannot use (or whose wrapped key was edited) over "no key here".
 */
export async function unwrapAny(
  resolvers: readonly KeyringResolver[],
  dataKeys: readonly EncryptedDataKey[],
  binding: Buffer,
): Promise<{ dataKey: Buffer; edk: EncryptedDataKey }> {
  let firstError: unknown;
  for (const edk of dataKeys) {
    for (const r of resolvers) {
      try {
        const dataKey = await r.unwrap(edk, binding);
        if (dataKey) return { dataKey, edk };
      } catch (e) {
        firstError ??= e;
      }
    }
  }
  if (firstError) throw firstError;
  const names = dataKeys.map((k) =>
    k.entry.type === 'local-cmk' ? `local CMK ${k.entry.keyId}` : `${k.entry.region}/${k.entry.projectId} key ${k.entry.keyId}`,
  );
  throw new KeyholdError(FileErrors.NoUsableKey, `None of the keys this file was encrypted to is in this vault (${names.join(', ')}).`, 400);
}
