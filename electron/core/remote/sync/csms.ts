/**
 * CSMS sync: secrets move with their version history between this vault and a remote. Each
 * secret's last sync is remembered as a base (which version here matches which version there,
 * and a digest of its value), so a later sync knows which side changed:
 * - on one side only: its new versions are appended, in order, to the other side;
 * - on both sides, or a secret that exists on both sides with different histories and no base:
 *   a conflict, reported and never overwritten.
 * Nothing is deleted. Values never appear in the output or the audit log. A pull reads the
 * remote first and then writes here in the sync's one transaction; a push writes to the remote
 * as it goes and then records what the remote accepted (see `csmsSync`).
 */
import { createHash } from 'node:crypto';
import { KeyholdError } from '../../../../shared/errors.js';
import { commitConflict, parseInput } from '../../../../shared/operations/index.js';
import { csmsOperations, type PageInfo, type Secret, type VersionMetadata } from '../../../../shared/operations/csms.js';
import type { SyncChange } from '../../../../shared/operations/remote.js';
import { csmsHandlers } from '../../secrets/service.js';
import type { SecretsContext } from '../../secrets/context.js';
import type { RecordStore } from '../../vault/store.js';
import { remoteRequest, type HttpDeps } from '../http-client.js';
import { endpointOf, type RemoteRecord } from '../remotes.js';
import type { RemoteSync, SyncOptions } from './phases.js';

export const CSMS_SYNC_TABLE = 'csms_sync';

type Value = { secret_string: string } | { secret_binary: string };

/** One side of a sync, local or remote, with the same five verbs. */
interface Side {
  secretNames(): Promise<string[]>;
  /** Version ids, oldest first; null when the secret does not exist (or is pending deletion). */
  versions(name: string): Promise<string[] | null>;
  value(name: string, versionId: string): Promise<Value>;
  createSecret(name: string, first: Value, description: string): Promise<string>;
  addVersion(name: string, value: Value): Promise<string>;
}

interface SyncBase {
  remote: string;
  name: string;
  /** [local version id, remote version id, value digest] for every version synced so far. */
  pairs: [string, string, string][];
}

const byNumber = (a: string, b: string) => Number(a.slice(1)) - Number(b.slice(1));

/** A push that failed midway: what was written before the failure, so the base can record it. */
class PartialPush extends Error {
  constructor(
    override readonly cause: unknown,
    readonly base: SyncBase | null,
  ) {
    super('push failed midway');
  }
}

function digest(v: Value): string {
  const [kind, text] = 'secret_string' in v ? ['s', v.secret_string] : ['b', v.secret_binary];
  return createHash('sha256').update(`${kind}:${text}`).digest('hex');
}

async function allPages<T>(fetch: (marker: string | undefined) => Promise<{ items: T[]; page_info?: PageInfo }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await fetch(marker);
    out.push(...page.items);
    marker = page.page_info?.next_marker;
    if (!marker) break;
  }
  return out;
}

function valueOf(v: { secret_string?: string; secret_binary?: string }): Value {
  return v.secret_binary !== undefined ? { secret_binary: v.secret_binary } : { secret_string: v.secret_string ?? '' };
}

function localSide(ctx: SecretsContext): Side {
  const call = <K extends keyof typeof csmsOperations>(op: K, raw: Record<string, unknown>) =>
    (csmsHandlers[op] as (c: SecretsContext, i: unknown) => unknown)(ctx, parseInput(csmsOperations[op], raw));
  return {
    secretNames: async () =>
      (await allPages(async (marker) => {
        const r = (await call('listSecrets', { limit: 1000, marker })) as { secrets: Secret[]; page_info: PageInfo };
        return { items: r.secrets.filter((s) => s.state !== 'PENDING_DELETE').map((s) => s.name), page_info: r.page_info };
      })),
    versions: async (name) => {
      const r = (await (async () => call('showSecret', { secret_name: name }))().catch(() => null)) as { secret: Secret } | null;
      if (!r || r.secret.state === 'PENDING_DELETE') return null;
      const all = await allPages(async (marker) => {
        const p = (await call('listSecretVersions', { secret_name: name, limit: 1000, marker })) as { version_metadatas: VersionMetadata[]; page_info: PageInfo };
        return { items: p.version_metadatas.map((v) => v.id), page_info: p.page_info };
      });
      return all.sort(byNumber);
    },
    value: async (name, id) => valueOf(((await call('showSecretVersion', { secret_name: name, version_id: id })) as { version: { secret_string?: string; secret_binary?: string } }).version),
    createSecret: async (name, first, description) => {
      await call('createSecret', { name, description, ...first });
      return 'v1';
    },
    addVersion: async (name, value) => ((await call('createSecretVersion', { secret_name: name, ...value })) as { version_metadata: VersionMetadata }).version_metadata.id,
  };
}

function remoteSide(remote: RemoteRecord, http?: HttpDeps): Side {
  const base = `/v1/${remote.project_id}/secrets`;
  const get = async <T>(path: string, query: [string, string][] = []) => (await remoteRequest(endpointOf(remote), { method: 'GET', path, query }, http)).body as T;
  const post = async <T>(path: string, body: unknown) => (await remoteRequest(endpointOf(remote), { method: 'POST', path, body }, http)).body as T;
  const q = (marker: string | undefined): [string, string][] => [['limit', '1000'], ...(marker ? [['marker', marker] as [string, string]] : [])];
  return {
    secretNames: () =>
      allPages(async (marker) => {
        const r = await get<{ secrets: Secret[]; page_info?: PageInfo }>(base, q(marker));
        return { items: r.secrets.filter((s) => s.state !== 'PENDING_DELETE').map((s) => s.name), page_info: r.page_info };
      }),
    versions: async (name) => {
      const enc = encodeURIComponent(name);
      const secret = await get<{ secret: Secret }>(`${base}/${enc}`).catch((e: { status?: number }) => {
        if (e.status === 404 || e.status === 400) return null;
        throw e;
      });
      if (!secret || secret.secret.state === 'PENDING_DELETE') return null;
      const all = await allPages(async (marker) => {
        const r = await get<{ version_metadatas: VersionMetadata[]; page_info?: PageInfo }>(`${base}/${enc}/versions`, q(marker));
        return { items: r.version_metadatas.map((v) => v.id), page_info: r.page_info };
      });
      return all.sort(byNumber);
    },
    value: async (name, id) => valueOf((await get<{ version: { secret_string?: string; secret_binary?: string } }>(`${base}/${encodeURIComponent(name)}/versions/${id}`)).version),
    createSecret: async (name, first, description) => {
      await post(base, { name, description, ...first });
      return 'v1';
    },
    addVersion: async (name, value) => (await post<{ version_metadata: VersionMetadata }>(`${base}/${encodeURIComponent(name)}/versions`, value)).version_metadata.id,
  };
}

/** Syncs one secret from `from` to `to`; returns the change and the new base (null: unchanged base). */
async function syncSecret(name: string, from: Side, to: Side, base: SyncBase | undefined, pull: boolean, dryRun: boolean, remoteName: string): Promise<{ change: SyncChange; base: SyncBase | null }> {
  const change = (action: SyncChange['action'], detail?: string): SyncChange => ({ service: 'csms', action, id: name, ...(detail ? { detail } : {}) });
  const fromIds = (await from.versions(name)) ?? [];
  const toIds = await to.versions(name);
  // Pairs are stored as [local, remote]: which column is "from" depends on the direction.
  const fromCol = pull ? 1 : 0;
  const toCol = pull ? 0 : 1;
  const pairs = base?.pairs ?? [];
  if (!toIds) {
    if (base) return { change: change('conflict', `deleted on the ${pull ? 'local' : 'remote'} side since the last sync; not recreated`), base: null };
    if (dryRun) return { change: change('add', `${fromIds.length} version(s)`), base: null };
    const newPairs: [string, string, string][] = [];
    try {
      for (const [i, id] of fromIds.entries()) {
        const v = await from.value(name, id);
        const created = i === 0 ? await to.createSecret(name, v, '') : await to.addVersion(name, v);
        newPairs.push(pull ? [created, id, digest(v)] : [id, created, digest(v)]);
      }
    } catch (e) {
      throw new PartialPush(e, newPairs.length ? { remote: remoteName, name, pairs: newPairs } : null);
    }
    return { change: change('add', `${fromIds.length} version(s)`), base: { remote: remoteName, name, pairs: newPairs } };
  }
  if (!base) {
    // Both sides have it and it was never synced: the same history (by value, in order) is
    // adopted as the base; anything else is a conflict.
    const same = fromIds.length === toIds.length && (await Promise.all(fromIds.map(async (id, i) => digest(await from.value(name, id)) === digest(await to.value(name, toIds[i] as string))))).every(Boolean);
    if (!same) return { change: change('conflict', 'exists on both sides with different versions and was never synced; neither side was changed'), base: null };
    const newPairs = await Promise.all(fromIds.map(async (id, i) => {
      const d = digest(await from.value(name, id));
      const other = toIds[i] as string;
      return (pull ? [other, id, d] : [id, other, d]) as [string, string, string];
    }));
    return { change: change('unchanged', 'same history on both sides; now tracked'), base: dryRun ? null : { remote: remoteName, name, pairs: newPairs } };
  }
  const fromKnown = new Set(pairs.map((p) => p[fromCol]));
  const toKnown = new Set(pairs.map((p) => p[toCol]));
  const fromNew = fromIds.filter((id) => !fromKnown.has(id));
  const toNew = toIds.filter((id) => !toKnown.has(id));
  if (fromNew.length && toNew.length) return { change: change('conflict', `both sides have new versions since the last sync (${fromNew.join(', ')} / ${toNew.join(', ')}); neither side was changed`), base: null };
  if (!fromNew.length) return { change: change('unchanged', toNew.length ? `${toNew.length} version(s) to ${pull ? 'push' : 'pull'}` : undefined), base: null };
  if (dryRun) return { change: change('update', `${fromNew.length} new version(s): ${fromNew.join(', ')}`), base: null };
  const added: [string, string, string][] = [];
  try {
    for (const id of fromNew) {
      const v = await from.value(name, id);
      const created = await to.addVersion(name, v);
      added.push(pull ? [created, id, digest(v)] : [id, created, digest(v)]);
    }
  } catch (e) {
    throw new PartialPush(e, added.length ? { ...base, pairs: [...pairs, ...added] } : null);
  }
  return { change: change('update', `${fromNew.length} new version(s): ${fromNew.join(', ')}`), base: { ...base, pairs: [...pairs, ...added] } };
}

const baseId = (remote: string, name: string) => `${remote}/${name}`;

/** The stored base of each secret with `remote`, by the secret's name. */
function baseReader(store: RecordStore, remote: string): (name: string) => SyncBase | undefined {
  return (name) => store.read<SyncBase>(CSMS_SYNC_TABLE, baseId(remote, name));
}

/** A remote secret as a pull's network phase read it: its versions, and the values the commit may need. */
interface RemoteSecret {
  ids: string[] | null;
  values: Map<string, Value>;
}

/**
 * The remote side of a pull's commit: the secrets as the network phase read them. A value it
 * did not read means the local state the network phase planned by changed meanwhile: the whole
 * pull stops (VAULT.0506), nothing is applied, and a rerun reads again.
 */
function gatheredSide(secrets: Map<string, RemoteSecret>, remoteName: string): Side {
  const readOnly = (): never => {
    throw new Error('the gathered remote side of a pull is never written');
  };
  return {
    secretNames: async () => [...secrets.keys()],
    versions: async (name) => secrets.get(name)?.ids ?? null,
    value: async (name, id) => {
      const v = secrets.get(name)?.values.get(id);
      if (!v) throw commitConflict(`The sync state of secret ${name} changed here while ${remoteName} was read; nothing was applied. Run the sync again.`);
      return v;
    },
    createSecret: readOnly,
    addVersion: readOnly,
  };
}

/**
 * Reads what a pull's commit needs: every remote secret's version ids, and the values of the
 * versions its base does not know (all of them without a base). A dry run reads values only to
 * compare histories (a secret on both sides, never synced).
 */
async function readRemote(ctx: SecretsContext, remote: RemoteRecord, opts: SyncOptions): Promise<Map<string, RemoteSecret>> {
  const there = remoteSide(remote, opts.http);
  const local = localSide(ctx);
  const readBase = baseReader(ctx.store, remote.name);
  const secrets = new Map<string, RemoteSecret>();
  for (const name of (await there.secretNames()).sort()) {
    const ids = await there.versions(name);
    const base = readBase(name);
    const known = new Set(base?.pairs.map((p) => p[1]));
    const values = new Map<string, Value>();
    if (!opts.dryRun || (!base && (await local.versions(name)) !== null)) {
      for (const id of ids ?? []) if (!known.has(id)) values.set(id, await there.value(name, id));
    }
    secrets.set(name, { ids, values });
  }
  return secrets;
}

/**
 * Runs the sync of every secret on `from`, in name order, each against its base as `readBase`
 * finds it; returns the changes and the new bases. A pull fails whole; a push that fails midway
 * keeps the base of what the remote accepted, reports the failure and stops.
 */
async function syncSecrets(from: Side, to: Side, readBase: (name: string) => SyncBase | undefined, remoteName: string, opts: SyncOptions): Promise<{ changes: SyncChange[]; bases: SyncBase[] }> {
  const pull = opts.direction === 'pull';
  const changes: SyncChange[] = [];
  const bases: SyncBase[] = [];
  for (const name of (await from.secretNames()).sort()) {
    let result: Awaited<ReturnType<typeof syncSecret>>;
    try {
      result = await syncSecret(name, from, to, readBase(name), pull, opts.dryRun, remoteName);
    } catch (e) {
      // A pull fails whole (nothing is committed). A push cannot take back what the remote
      // already accepted, for this secret or earlier ones: keep it for the bases, report the
      // failure and stop. A push that fails before anything was done fails whole, like a pull.
      if (pull) throw e instanceof PartialPush ? e.cause : e;
      if (e instanceof PartialPush) {
        if (e.base) bases.push(e.base);
      } else if (!(e instanceof KeyholdError) || !bases.length) {
        throw e;
      }
      const cause = e instanceof PartialPush ? e.cause : e;
      changes.push({ service: 'csms', action: 'failed', id: name, detail: `${(cause as Error).message ?? 'push failed'}; what was written before is recorded, rerun to continue` });
      break;
    }
    changes.push(result.change);
    if (result.base && !opts.dryRun) bases.push(result.base);
  }
  return { changes, bases };
}

/**
 * Records new bases over the ones stored now. A base only ever gains pairs, and each pair is a
 * fact (this version here holds the same value as that version there), so a base another sync
 * of the same remote stored meanwhile is merged with, never replaced.
 */
function recordBases(store: RecordStore, bases: SyncBase[]): void {
  for (const base of bases) {
    const id = baseId(base.remote, base.name);
    const stored = store.read<SyncBase>(CSMS_SYNC_TABLE, id);
    const has = new Set(stored?.pairs.map(([l, r]) => `${l}\u0000${r}`));
    const pairs = [...(stored?.pairs ?? []), ...base.pairs.filter(([l, r]) => !has.has(`${l}\u0000${r}`))];
    if (!stored || pairs.length !== stored.pairs.length) store.put(CSMS_SYNC_TABLE, id, { ...base, pairs });
  }
}

/**
 * A pull's network phase reads the remote; its commit runs the sync against the local secrets
 * and bases as they are then, so a version added here meanwhile makes that secret a `conflict`
 * (never overwritten) and a base another sync stored meanwhile is the one compared with.
 * A push's network phase runs the whole sync against the remote (the remote's writes happen
 * there); its commit records the bases of what the remote accepted.
 */
export const csmsSync: RemoteSync<{ pull: Map<string, RemoteSecret> } | { push: { changes: SyncChange[]; bases: SyncBase[] } }> = {
  async network(ctx, remote, opts) {
    if (opts.direction === 'pull') return { pull: await readRemote(ctx, remote, opts) };
    return { push: await syncSecrets(localSide(ctx), remoteSide(remote, opts.http), baseReader(ctx.store, remote.name), remote.name, opts) };
  },
  async commit(ctx, remote, opts, gathered) {
    const { changes, bases } = 'push' in gathered ? gathered.push : await syncSecrets(gatheredSide(gathered.pull, remote.name), localSide(ctx), baseReader(ctx.store, remote.name), remote.name, opts);
    recordBases(ctx.store, bases);
    return changes;
  },
};
