/**
 * Configured remotes, stored sealed in the vault (secret key included, never returned). A remote
 * is known by the id it gets when added: what a sync keeps about it (CSMS bases, mirrored KMS
 * keys) is stored under that id and removed with it, so a remote added again under an old name
 * starts afresh.
 */
import { randomUUID } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import { commitConflict, networkFirst, type Handlers } from '../../../shared/operations/index.js';
import { UNSYNCED_ACTIONS, type RemoteInfo, type remoteOperations } from '../../../shared/operations/remote.js';
import { remoteRequest } from './http-client.js';
import { forgetMirror, kmsMirrorSync, listMirroredKeys } from './sync/kms-mirror.js';
import { byokToRemote } from './byok.js';
import { fetchWindowsPasswordBlob } from './ecs.js';
import { csmsSync, forgetBases, recordKeep } from './sync/csms.js';
import { kpsSync } from './sync/kps.js';
import type { RemoteSync, SyncOptions } from './sync/phases.js';
import { kpsHandlers } from '../keypairs/service.js';
import type { SecretsContext } from '../secrets/context.js';
import { endpointOf, getRemote, REMOTE_TABLE, remoteKey, type RemoteContext, type RemoteRecord } from './endpoint.js';
import { RemoteErrors } from './errors.js';

export { getRemote } from './endpoint.js';

function info({ secret_key: _secret, ...rest }: RemoteRecord): RemoteInfo {
  return rest;
}

const SYNCS: Record<'kms' | 'kps' | 'csms', RemoteSync<unknown>> = { kms: kmsMirrorSync, kps: kpsSync, csms: csmsSync };

function syncOptions(ctx: RemoteContext, input: { direction: 'pull' | 'push'; dry_run: boolean }): SyncOptions {
  return { direction: input.direction, dryRun: input.dry_run, http: ctx.http };
}

export const remoteHandlers: Handlers<typeof remoteOperations, RemoteContext & SecretsContext> = {
  remoteAdd(ctx, input) {
    if (ctx.store.read(REMOTE_TABLE, input.name))
      throw new KeyholdError(RemoteErrors.AlreadyExists, `A remote named ${input.name} already exists; remove it first.`, 400);
    const endpoint = input.endpoint ?? (input.region ? `https://kms.${input.region}.myhuaweicloud.com` : undefined);
    if (!endpoint) throw new KeyholdError(RemoteErrors.Invalid, 'Missing parameter: endpoint (or region, for a Huawei Cloud region) is required.', 400);
    const record: RemoteRecord = {
      id: randomUUID(),
      name: input.name,
      endpoint,
      ecs_endpoint: input.ecs_endpoint ?? (input.region ? `https://ecs.${input.region}.myhuaweicloud.com` : null),
      project_id: input.project_id,
      region: input.region ?? null,
      access_key: input.access_key,
      secret_key: input.secret_key,
      created: new Date(ctx.now()).toISOString(),
    };
    ctx.store.put(REMOTE_TABLE, record.name, record);
    return { remote: info(record) };
  },
  remoteList(ctx) {
    return { remotes: ctx.store.list<RemoteRecord>(REMOTE_TABLE).map(info) };
  },
  remoteRemove(ctx, input) {
    const r = getRemote(ctx.store, input.name);
    // Records stored by name (before remotes had ids) go too: a remote added again under this
    // name must not find them.
    const ids = [...new Set([remoteKey(r), r.name])];
    const forgotten = { csms_bases: forgetBases(ctx.store, ids), kms_mirror: forgetMirror(ctx.store, ids) };
    ctx.store.delete(REMOTE_TABLE, input.name);
    return { removed: input.name, forgotten };
  },
  remoteResolve(ctx, input) {
    const r = getRemote(ctx.store, input.name);
    recordKeep(ctx.store, remoteKey(r), input.secret_name, input.keep);
    return { remote: r.name, service: input.service, secret_name: input.secret_name, keep: input.keep, applied_by: input.keep === 'local' ? 'push' : 'pull' };
  },
  async remoteTest(ctx, input) {
    const r = getRemote(ctx.store, input.name);
    const started = performance.now();
    const { body } = await remoteRequest(
      endpointOf(r),
      { method: 'POST', path: `/v1.0/${r.project_id}/kms/list-keys`, body: { limit: '1', key_spec: 'ALL' } },
      ctx.http,
    );
    const total = (body as { total?: unknown } | undefined)?.total;
    return { remote: r.name, reachable: true, latency_ms: Math.round(performance.now() - started), keys_visible: typeof total === 'number' ? total : 0 };
  },
  /**
   * Network-first (shared/operations/phases.ts): the remote is asked before the write
   * transaction, so other writers never wait for it; each sync's commit re-reads what it writes
   * (sync/*.ts). A remote removed or replaced meanwhile stops the commit: what was read came
   * from the remote as it was configured before.
   */
  remoteSync: networkFirst({
    async network(ctx, input) {
      const remote = getRemote(ctx.store, input.name);
      const gathered = await SYNCS[input.service].network(ctx, remote, syncOptions(ctx, input));
      return { remote, gathered };
    },
    async commit(ctx, input, { remote, gathered }) {
      if (JSON.stringify(getRemote(ctx.store, input.name)) !== JSON.stringify(remote)) {
        throw commitConflict(`Remote ${input.name} was replaced while it was being synced; nothing was recorded here. Run the sync again.`);
      }
      const changes = await SYNCS[input.service].commit(ctx, remote, syncOptions(ctx, input), gathered);
      return { changes, applied: !input.dry_run, complete: !changes.some((c) => UNSYNCED_ACTIONS.includes(c.action)) };
    },
  }),
  async remoteByok(ctx, input) {
    const r = getRemote(ctx.store, input.name);
    const { material_source } = await byokToRemote(r, input, ctx.http);
    return {
      key_id: input.key_id,
      remote: r.name,
      wrapping_algorithm: input.wrapping_algorithm,
      material_source,
      material_out: material_source === 'generated' ? (input.material_out ?? null) : null,
    };
  },
  async remoteWindowsPassword(ctx, input) {
    const r = getRemote(ctx.store, input.name);
    const password_blob = await fetchWindowsPasswordBlob(r, input.server_id, ctx.http);
    const { name: _remote, server_id: _server, ...key } = input;
    return kpsHandlers.kpsWindowsPassword(ctx, { ...key, password_blob });
  },
  remoteListMirroredKeys(ctx, input) {
    return { keys: listMirroredKeys(ctx.store, new Set(ctx.store.list<RemoteRecord>(REMOTE_TABLE).map(remoteKey)), input.name) };
  },
};
