/**
 * KMS sync: mirror the metadata of a remote's keys (all specs, every page of list-keys) into
 * local records, so they can be listed, chosen and used through --remote or as envelope
 * keyrings. Key material never leaves the remote; push is not a KMS direction.
 */
import { KeyholdError } from '../../../../shared/errors.js';
import { commitConflict, type KeyDetails } from '../../../../shared/operations/index.js';
import type { MirroredKey, SyncChange } from '../../../../shared/operations/remote.js';
import type { RecordStore } from '../../vault/store.js';
import { remoteRequest, type HttpDeps } from '../http-client.js';
import { endpointOf, remoteKey, type RemoteRecord } from '../endpoint.js';
import type { RemoteSync } from './phases.js';
import { RemoteErrors } from '../errors.js';

export const MIRROR_TABLE = 'kms_mirror';
const PAGE = 1000;

async function remoteKeys(remote: RemoteRecord, http?: HttpDeps): Promise<KeyDetails[]> {
  const keys: KeyDetails[] = [];
  let marker = '0';
  for (let page = 0; page < 100; page++) {
    const { body } = await remoteRequest(
      endpointOf(remote),
      { method: 'POST', path: `/v1.0/${remote.project_id}/kms/list-keys`, body: { limit: String(PAGE), marker, key_spec: 'ALL' } },
      http,
    );
    const b = body as { key_details?: KeyDetails[]; truncated?: string; next_marker?: string } | undefined;
    if (!b || !Array.isArray(b.key_details)) throw new KeyholdError(RemoteErrors.BadAnswer, 'The remote list-keys answer has no key_details.', 502);
    keys.push(...b.key_details);
    if (b.truncated !== 'true' || !b.next_marker) return keys;
    marker = b.next_marker;
  }
  throw new KeyholdError(RemoteErrors.BadAnswer, 'The remote kept paging list-keys beyond 100 pages.', 502);
}

const mirrorId = (remoteId: string, keyId: string) => `${remoteId}/${keyId}`;
/** The remote record a mirrored key belongs to (mirrors made before ids existed name it). */
const ownerOf = (k: MirroredKey) => k.remote_id ?? k.remote;

/** Deletes every key mirrored from the given remote ids (`remote remove`); returns how many. */
export function forgetMirror(store: RecordStore, remoteIds: string[]): number {
  const doomed = store.list<MirroredKey>(MIRROR_TABLE).filter((k) => remoteIds.includes(ownerOf(k)));
  for (const k of doomed) store.delete(MIRROR_TABLE, mirrorId(ownerOf(k), k.key_id));
  return doomed.length;
}

/**
 * Pull only. The network phase reads the remote's key list; the commit diffs it against the
 * mirror as it is then. Only syncs write the mirror, so the one thing that can change meanwhile
 * is another sync of the same remote: one that read the remote after this one and committed
 * first has the newer list, which this older one must not replace (VAULT.0506).
 */
export const kmsMirrorSync: RemoteSync<{ keys: KeyDetails[]; read_at: number }> = {
  async network(ctx, remote, opts) {
    if (opts.direction === 'push')
      throw new KeyholdError(RemoteErrors.Invalid, 'KMS sync only pulls: key material stays on its side; push keys with BYOK (import-key-material).', 400);
    const read_at = ctx.now();
    return { keys: await remoteKeys(remote, opts.http), read_at };
  },
  commit(ctx, remote, opts, { keys, read_at }) {
    const mirrored = ctx.store.list<MirroredKey>(MIRROR_TABLE).filter((k) => ownerOf(k) === remoteKey(remote));
    if (mirrored.some((k) => Date.parse(k.synced_at) > read_at)) {
      throw commitConflict(`A newer sync of ${remote.name} committed while this one read the remote; its key list was not applied. Run the sync again.`);
    }
    return applyMirror(ctx.store, remote, keys, mirrored, { dryRun: opts.dryRun, syncedAt: read_at });
  },
};

function applyMirror(
  store: RecordStore,
  remote: RemoteRecord,
  remoteList: KeyDetails[],
  mirrored: MirroredKey[],
  opts: { dryRun: boolean; syncedAt: number },
): SyncChange[] {
  const local = new Map(mirrored.map((k) => [k.key_id, k]));
  const changes: SyncChange[] = [];
  for (const d of remoteList) {
    const next: MirroredKey = {
      remote: remote.name,
      remote_id: remoteKey(remote),
      key_id: d.key_id,
      key_alias: d.key_alias,
      key_spec: d.key_spec,
      key_usage: d.key_usage,
      key_state: d.key_state,
      synced_at: new Date(opts.syncedAt).toISOString(),
    };
    const had = local.get(d.key_id);
    local.delete(d.key_id);
    const same =
      had && had.key_alias === next.key_alias && had.key_state === next.key_state && had.key_spec === next.key_spec && had.key_usage === next.key_usage;
    changes.push({
      service: 'kms',
      action: !had ? 'add' : same ? 'unchanged' : 'update',
      id: d.key_id,
      detail: `${d.key_alias} (${d.key_spec}, state ${d.key_state})`,
    });
    if (!opts.dryRun && !same) store.put(MIRROR_TABLE, mirrorId(remoteKey(remote), d.key_id), next);
  }
  for (const gone of local.values()) {
    changes.push({ service: 'kms', action: 'remove', id: gone.key_id, detail: `${gone.key_alias} is no longer on ${remote.name}` });
    if (!opts.dryRun) store.delete(MIRROR_TABLE, mirrorId(remoteKey(remote), gone.key_id));
  }
  return changes;
}

/** The keys mirrored from the configured remotes (`live`: their ids), or from the one named `remote`. */
export function listMirroredKeys(store: RecordStore, live: Set<string>, remote?: string): MirroredKey[] {
  return store.list<MirroredKey>(MIRROR_TABLE).filter((k) => live.has(ownerOf(k)) && (!remote || k.remote === remote));
}
