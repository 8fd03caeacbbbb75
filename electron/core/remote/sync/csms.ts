/**
 * CSMS sync: secrets with their version history and stages, between this vault and a remote,
 * as plan then apply. For every secret on either side (or in a base), the planner
 * (csms-plan.ts) compares both sides with the base of the last sync and decides; apply
 * (csms-apply.ts) writes on the target side: this vault for a pull, the remote for a push. The
 * rules are in docs/sync.md. Values never appear in the output or the audit log.
 *
 * A pull reads the remote in the network phase and plans and writes here in the sync's one
 * transaction (whole or nothing). A push plans and writes on the remote secret by secret in the
 * network phase; the first failure stops it, and it lists what was done, what failed and what
 * was not tried; its commit records the bases of what the remote accepted, so a rerun continues.
 */
import { KeyholdError } from '../../../../shared/errors.js';
import { commitConflict } from '../../../../shared/operations/index.js';
import type { SyncChange } from '../../../../shared/operations/remote.js';
import type { SecretsContext } from '../../secrets/context.js';
import type { RecordStore } from '../../vault/store.js';
import { remoteKey, type RemoteRecord } from '../endpoint.js';
import { applyItem, knownDigests, PartialApply } from './csms-apply.js';
import { planSecret, type PlanItem, type SecretState, type SideName, type SyncBase } from './csms-plan.js';
import { localSide, remoteSide, type CsmsSide, type Value } from './csms-sides.js';
import type { RemoteSync, SyncOptions } from './phases.js';

export const CSMS_SYNC_TABLE = 'csms_sync';

const baseId = (remoteId: string, name: string) => `${remoteId}/${name}`;

export function readBase(store: RecordStore, remoteId: string, name: string): SyncBase | undefined {
  return store.read<SyncBase>(CSMS_SYNC_TABLE, baseId(remoteId, name));
}

function basesOf(store: RecordStore, remoteId: string): SyncBase[] {
  return store.list<SyncBase>(CSMS_SYNC_TABLE).filter((b) => b.remote === remoteId);
}

/** Deletes every base kept with a remote (`remote remove`); returns how many. */
export function forgetBases(store: RecordStore, remoteIds: string[]): number {
  const doomed = store.list<SyncBase>(CSMS_SYNC_TABLE).filter((b) => remoteIds.includes(b.remote));
  for (const b of doomed) store.delete(CSMS_SYNC_TABLE, baseId(b.remote, b.name));
  return doomed.length;
}

/** `remote resolve`: records which side's state the next sync that can write the other applies. */
export function recordKeep(store: RecordStore, remoteId: string, name: string, keep: SideName): void {
  const base = readBase(store, remoteId, name) ?? { remote: remoteId, name, pairs: [] };
  store.put(CSMS_SYNC_TABLE, baseId(remoteId, name), { ...base, keep });
}

/** Stores (or forgets) a base; one that did not change is not written again (most secrets, most syncs). */
function storeBase(store: RecordStore, remoteId: string, name: string, base: SyncBase | 'forget'): void {
  const now = readBase(store, remoteId, name);
  if (base === 'forget') {
    if (now) store.delete(CSMS_SYNC_TABLE, baseId(remoteId, name));
  } else if (JSON.stringify(now) !== JSON.stringify(base)) store.put(CSMS_SYNC_TABLE, baseId(remoteId, name), base);
}

const change = (item: PlanItem): SyncChange => ({ service: 'csms', action: item.action, id: item.name, ...(item.detail ? { detail: item.detail } : {}) });

/** A remote secret as a pull's network phase read it: its state, and the values the commit may write here. */
interface RemoteSecret {
  state: SecretState | null;
  values: Map<string, Value>;
}

/**
 * The remote side of a pull's commit: the secrets as the network phase read them, read-only. A
 * value it did not read means the local state changed meanwhile in a way the network phase did
 * not plan for: the whole pull stops (VAULT.0506), nothing is applied, and a rerun reads again.
 */
function gatheredSide(secrets: Map<string, RemoteSecret>, remoteName: string): CsmsSide {
  const readOnly = (): never => {
    throw new Error('the gathered remote side of a pull is never written');
  };
  return {
    names: async () => [...secrets.keys()],
    state: async (name) => secrets.get(name)?.state ?? null,
    incarnation: async (name) => secrets.get(name)?.state?.incarnation,
    value: async (name, id) => {
      const v = secrets.get(name)?.values.get(id);
      if (!v) throw commitConflict(`The sync state of secret ${name} changed here while ${remoteName} was read; nothing was applied. Run the sync again.`);
      return v;
    },
    create: readOnly,
    append: readOnly,
    setStage: readOnly,
    deleteStage: readOnly,
    scheduleDelete: readOnly,
    restore: readOnly,
  };
}

/**
 * Reads what a pull's commit needs: every remote secret's state, and the values of the versions
 * its base does not know, or of all its versions when the secret is missing here (it may be
 * created here with all of them).
 */
async function readRemote(ctx: SecretsContext, remote: RemoteRecord, opts: SyncOptions): Promise<Map<string, RemoteSecret>> {
  const there = remoteSide(remote, opts.http);
  const here = localSide(ctx);
  const id = remoteKey(remote);
  const secrets = new Map<string, RemoteSecret>();
  for (const name of (await there.names()).sort()) {
    const base = readBase(ctx.store, id, name);
    const values = new Map<string, Value>();
    const local = await here.state(name, knownDigests(base, 'local'));
    const state = await there.state(name, knownDigests(base, 'remote'), { readAll: !local || !!local.pending, got: (vid, v) => values.set(vid, v) });
    secrets.set(name, { state, values });
  }
  return secrets;
}

async function namesToPlan(store: RecordStore, remoteId: string, ...sides: Promise<string[]>[]): Promise<string[]> {
  const all = new Set(basesOf(store, remoteId).map((b) => b.name));
  for (const names of await Promise.all(sides)) for (const n of names) all.add(n);
  return [...all].sort();
}

interface PushResult {
  changes: SyncChange[];
  /** Bases to store, each with the base the push planned from (to merge with one stored meanwhile). */
  bases: { name: string; base: SyncBase | 'forget'; planned: SyncBase | undefined }[];
}

/**
 * A push, secret by secret: read both sides, plan, apply on the remote. The first failure stops
 * it: that secret is `failed` (what it wrote before is kept for its base), the rest `untried`.
 */
async function push(ctx: SecretsContext, remote: RemoteRecord, opts: SyncOptions): Promise<PushResult> {
  const here = localSide(ctx);
  const there = remoteSide(remote, opts.http);
  const id = remoteKey(remote);
  const names = await namesToPlan(ctx.store, id, here.names(), there.names());
  const out: PushResult = { changes: [], bases: [] };
  for (const [i, name] of names.entries()) {
    const base = readBase(ctx.store, id, name);
    try {
      const local = await here.state(name, knownDigests(base, 'local'));
      const remoteState = await there.state(name, knownDigests(base, 'remote'));
      const item = planSecret(name, local, remoteState, base, 'push');
      if (!opts.dryRun) {
        const next = await applyItem(item, { source: here, target: there, direction: 'push', remoteId: id, sourceState: local });
        if (next) out.bases.push({ name, base: next, planned: base });
      }
      out.changes.push(change(item));
    } catch (e) {
      if (!(e instanceof PartialApply) && !(e instanceof KeyholdError)) throw e;
      const cause = (e instanceof PartialApply ? e.cause : e) as Error;
      if (e instanceof PartialApply && e.base) out.bases.push({ name, base: e.base, planned: base });
      out.changes.push({ service: 'csms', action: 'failed', id: name, detail: `${cause.message}; what was written before is recorded, rerun to continue` });
      for (const rest of names.slice(i + 1))
        out.changes.push({ service: 'csms', action: 'untried', id: rest, detail: 'not tried: the push stopped at an earlier failure' });
      break;
    }
  }
  return out;
}

/**
 * Stores a push's bases. A base another sync stored meanwhile (a pull's commit) is merged with:
 * its pairs are facts (this version here holds the same value as that one there) and are kept.
 */
function recordPushBases(store: RecordStore, remoteId: string, bases: PushResult['bases']): void {
  for (const { name, base, planned } of bases) {
    const now = readBase(store, remoteId, name);
    if (base === 'forget' || JSON.stringify(now) === JSON.stringify(planned) || !now) {
      storeBase(store, remoteId, name, base);
      continue;
    }
    const has = new Set(base.pairs.map(([l, r]) => `${l}\u0000${r}`));
    storeBase(store, remoteId, name, { ...base, pairs: [...base.pairs, ...now.pairs.filter(([l, r]) => !has.has(`${l}\u0000${r}`))] });
  }
}

/** A pull's commit: plans every secret against the local state and bases as they are now, and applies here. */
async function pullCommit(ctx: SecretsContext, remote: RemoteRecord, opts: SyncOptions, gathered: Map<string, RemoteSecret>): Promise<SyncChange[]> {
  const here = localSide(ctx);
  const there = gatheredSide(gathered, remote.name);
  const id = remoteKey(remote);
  const changes: SyncChange[] = [];
  for (const name of await namesToPlan(ctx.store, id, here.names(), there.names())) {
    const base = readBase(ctx.store, id, name);
    const local = await here.state(name, knownDigests(base, 'local'));
    const remoteState = gathered.get(name)?.state ?? null;
    const item = planSecret(name, local, remoteState, base, 'pull');
    if (!opts.dryRun) {
      try {
        const next = await applyItem(item, { source: there, target: here, direction: 'pull', remoteId: id, sourceState: remoteState });
        if (next) storeBase(ctx.store, id, name, next);
      } catch (e) {
        // A pull is one transaction: it fails whole.
        throw e instanceof PartialApply ? e.cause : e;
      }
    }
    changes.push(change(item));
  }
  return changes;
}

export const csmsSync: RemoteSync<{ pull: Map<string, RemoteSecret> } | { push: PushResult }> = {
  async network(ctx, remote, opts) {
    if (opts.direction === 'pull') return { pull: await readRemote(ctx, remote, opts) };
    return { push: await push(ctx, remote, opts) };
  },
  async commit(ctx, remote, opts, gathered) {
    if ('pull' in gathered) return pullCommit(ctx, remote, opts, gathered.pull);
    recordPushBases(ctx.store, remoteKey(remote), gathered.push.bases);
    return gathered.push.changes;
  },
};
