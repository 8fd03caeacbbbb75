/**
 * Envelope keyrings backed by a remote KMS (another Keyhold or Huawei Cloud): the file's data key
 * is wrapped by the remote's encrypt-datakey and unwrapped by its decrypt-datakey, so the CMK
 * never leaves the remote. The header's key binding travels as AAD (its SHA-256, which fits the
 * cloud's 128-byte limit), so a wrapped key cannot be moved into another file or context.
 */
import { createHash } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import type { Keyring, KeyringResolver } from '../envelope/keyrings.js';
import type { RecordStore } from '../vault/store.js';
import { remoteRequest, type HttpDeps } from './http-client.js';
import { endpointOf, getRemote, REMOTE_TABLE, type RemoteRecord } from './endpoint.js';
import { RemoteErrors } from './errors.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

async function kms<T>(remote: RemoteRecord, action: string, body: unknown, http?: HttpDeps): Promise<T> {
  return (await remoteRequest(endpointOf(remote), { method: 'POST', path: `/v1.0/${remote.project_id}/kms/${action}`, body }, http)).body as T;
}

export function remoteKmsKeyring(store: RecordStore, remoteName: string, keyId: string, http?: HttpDeps): Keyring {
  const remote = getRemote(store, remoteName);
  return {
    async wrap(dataKey, binding) {
      const { cipher_text } = await kms<{ cipher_text?: string }>(
        remote,
        'encrypt-datakey',
        {
          key_id: keyId,
          plain_text: Buffer.concat([dataKey, sha256(dataKey)]).toString('hex'),
          datakey_plain_length: String(dataKey.length),
          additional_authenticated_data: sha256(binding).toString('hex'),
        },
        http,
      );
      if (typeof cipher_text !== 'string' || !/^[0-9a-fA-F]+$/.test(cipher_text))
        throw new KeyholdError(RemoteErrors.BadAnswer, `Remote ${remote.name} answered encrypt-datakey without a hex cipher_text.`, 502);
      return { entry: { type: 'remote-kms', region: remote.region ?? '', projectId: remote.project_id, keyId }, ciphertext: Buffer.from(cipher_text, 'hex') };
    },
  };
}

/** Unwraps `remote-kms` entries through a configured remote with the entry's project (and region). */
export function remoteKmsResolver(store: RecordStore, http?: HttpDeps): KeyringResolver {
  return {
    async unwrap({ entry, ciphertext }, binding) {
      if (entry.type !== 'remote-kms') return null;
      const remote = store.list<RemoteRecord>(REMOTE_TABLE).find((r) => r.project_id === entry.projectId && (r.region ?? '') === entry.region);
      if (!remote) return null;
      const r = await kms<{ data_key?: string; datakey_dgst?: string }>(
        remote,
        'decrypt-datakey',
        {
          key_id: entry.keyId,
          cipher_text: ciphertext.toString('hex'),
          datakey_cipher_length: '32',
          additional_authenticated_data: sha256(binding).toString('hex'),
        },
        http,
      );
      const dataKey = typeof r.data_key === 'string' ? Buffer.from(r.data_key, 'hex') : Buffer.alloc(0);
      if (dataKey.length !== 32 || r.datakey_dgst?.toLowerCase() !== sha256(dataKey).toString('hex')) {
        throw new KeyholdError(RemoteErrors.BadAnswer, `Remote ${remote.name} answered decrypt-datakey with a data key that does not match its digest.`, 502);
      }
      return dataKey;
    },
  };
}
