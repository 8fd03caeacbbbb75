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
import { GCM_IV_BYTES, GCM_TAG_BYTES } from '../crypto/aead.js';
import { randomBytes } from '../crypto/random.js';
import type { KmsContext } from '../kms/context.js';
import { CMK_TABLE, currentVersion, getKey, handleFor, requireUsable, type CmkRecord } from '../kms/keys.js';
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

function requireEncryptionKey(key: CmkRecord): void {
  requireUsable(key);
  if (key.key_usage !== 'ENCRYPT_DECRYPT') {
    throw new KeyholdError('KMS.0308', `The key ${key.key_id} is not for encryption (key_usage ${key.key_usage}).`, 400);
  }
}

/** Wraps with one CMK of the local vault (its current version). */
export function localCmkKeyring(ctx: KmsContext, keyId: string): Keyring {
  return {
    async wrap(dataKey, binding) {
      const key = getKey(ctx, keyId);
      requireEncryptionKey(key);
      const version = currentVersion(key);
      const iv = randomBytes(GCM_IV_BYTES);
      const { ciphertext, tag } = ctx.hsm.encrypt(handleFor(ctx, version.material), iv, dataKey, binding);
      return { entry: { type: 'local-cmk', keyId: key.key_id, keyVersion: version.version }, ciphertext: Buffer.concat([iv, ciphertext, tag]) };
    },
  };
}

/** Unwraps `local-cmk` entries whose CMK this vault holds, at the version the entry names. */
export function localVaultResolver(ctx: KmsContext): KeyringResolver {
  return {
    async unwrap({ entry, ciphertext }, binding) {
      if (entry.type !== 'local-cmk') return null;
      const key = ctx.store.read<CmkRecord>(CMK_TABLE, entry.keyId);
      if (!key) return null;
      requireEncryptionKey(key);
      const version = key.versions.find((v) => v.version === entry.keyVersion);
      const tampered = () => new KeyholdError(FileErrors.HeaderTampered, `The envelope header does not authenticate: the data key for CMK ${key.key_id} does not unwrap.`, 400);
      if (!version || ciphertext.length !== GCM_IV_BYTES + DATA_KEY_BYTES + GCM_TAG_BYTES) throw tampered();
      const dataKey = ctx.hsm.decrypt(
        handleFor(ctx, version.material),
        ciphertext.subarray(0, GCM_IV_BYTES),
        ciphertext.subarray(GCM_IV_BYTES, GCM_IV_BYTES + DATA_KEY_BYTES),
        ciphertext.subarray(GCM_IV_BYTES + DATA_KEY_BYTES),
        binding,
      );
      if (!dataKey) throw tampered();
      return dataKey;
    },
  };
}

/**
 * The first data key any resolver unwraps. When none does, the most telling error wins: a key
 * this vault holds but cannot use (or whose wrapped key was edited) over "no key here".
 */
export async function unwrapAny(resolvers: readonly KeyringResolver[], dataKeys: readonly EncryptedDataKey[], binding: Buffer): Promise<{ dataKey: Buffer; edk: EncryptedDataKey }> {
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
  const names = dataKeys.map((k) => (k.entry.type === 'local-cmk' ? `local CMK ${k.entry.keyId}` : `${k.entry.region}/${k.entry.projectId} key ${k.entry.keyId}`));
  throw new KeyholdError(FileErrors.NoUsableKey, `None of the keys this file was encrypted to is in this vault (${names.join(', ')}).`, 400);
}

