/**
 * The CSMS sync planner: pure, no I/O. Given one secret as each side holds it and the base
 * remembered from the last sync, it decides what a sync in one direction does to that secret:
 * `add`, `update` (new versions), `stage-move`, `remove` (a deletion kept by `remote resolve`),
 * `conflict` or `unchanged`, with the writes (steps) that carry it out on the target side and
 * the base to store once they succeeded. apply (csms-apply.ts) executes the steps; docs/sync.md
 * states the rules this file implements.
 *
 * Ids: a version is named by its id on its own side (`v3`). Pairs `[local, remote, digest]` say
 * which versions hold the same value; a version in no pair and not `seen` is new since the base.
 */

export type SideName = 'local' | 'remote';
export type Direction = 'pull' | 'push';

export interface VersionState {
  id: string;
  /** Creation time, epoch ms (shown in conflict labels). */
  created: number;
  /** SHA-256 of the value (csms.ts `digest`); values themselves never reach the planner. */
  digest: string;
}

export interface SecretState {
  /** Oldest first. */
  versions: VersionState[];
  /** Stage name → version id. */
  stages: Record<string, string>;
  /** Scheduled for deletion (PENDING_DELETE): unusable until restored; its versions are not listed. */
  pending?: boolean;
  /** The secret's own id: another one means it was deleted and made again under the same name. */
  incarnation?: string;
}

export type Pair = [local: string, remote: string, digest: string];

export interface SyncBase {
  /** The remote record's id (remotes.ts `remoteKey`). */
  remote: string;
  name: string;
  pairs: Pair[];
  /** Versions deliberately left unpaired (the losing side of a resolved conflict). */
  seen?: { local: string[]; remote: string[] };
  /** Stage name → [local version id, remote version id] where both sides agreed at the last sync. */
  stages?: Record<string, [string, string]>;
  /** `remote resolve --keep`: the side whose state wins at the next sync that can write the other. */
  keep?: SideName;
  /** Each side's secret id when the base was stored: version ids are only meaningful within it. */
  incarnation?: { local?: string; remote?: string };
}

export type Step =
  | { kind: 'create'; source: string }
  | { kind: 'append'; source: string }
  | { kind: 'stage'; stage: string; source: string }
  | { kind: 'unstage'; stage: string }
  | { kind: 'restore' }
  | { kind: 'schedule-delete' };

export type PlanAction = 'add' | 'update' | 'stage-move' | 'remove' | 'conflict' | 'unchanged';

/** What the base becomes once every step succeeded; stage positions in source-side ids. */
export interface NextBase {
  /** Start from no pairs (the target's secret is created anew: its ids restart at v1). */
  replace: boolean;
  /** Pairs learned without a write (the same value already on both sides). */
  adopt: Pair[];
  seen: { local: string[]; remote: string[] };
  /** Stages agreed after the steps, by the source's version id; absent ones are dropped from the base. */
  stages: Record<string, string>;
  /** Stages left as the old base had them (work for the other direction). */
  keepStages: string[];
  keep?: SideName;
  /** Each side's secret id; apply fills in the target's when it creates the secret. */
  incarnation: { local?: string; remote?: string };
}

export interface PlanItem {
  name: string;
  action: PlanAction;
  detail?: string;
  /** Writes on the target side (local for a pull, the remote for a push), in order. */
  steps: Step[];
  /** The other direction has something to carry for this secret. */
  pending: boolean;
  /** The target's version ids before the steps (apply recognises versions a lost answer created). */
  targetIds: string[];
  /** null: the base stays as it is; 'forget': it is deleted. */
  next: NextBase | 'forget' | null;
  /** The base the plan was made from (the stored one, rebased: see `rebase`). */
  base: SyncBase | undefined;
}

const SYS_CURRENT = 'SYSCURRENT';
const SYS_PREVIOUS = 'SYSPREVIOUS';

export const other = (s: SideName): SideName => (s === 'local' ? 'remote' : 'local');
const col = (s: SideName) => (s === 'local' ? 0 : 1);

/** `v3 (2026-12-03T09:00:00.000Z, sha 1a2b3c4d)`: a version as a conflict shows it. */
function label(v: VersionState): string {
  return `${v.id} (${new Date(v.created).toISOString()}, sha ${v.digest.slice(0, 8)})`;
}

/** Stage order for writes: SYSCURRENT first (it drags SYSPREVIOUS along), then SYSPREVIOUS, then the rest. */
function stageOrder(names: Iterable<string>): string[] {
  const rank = (s: string) => (s === SYS_CURRENT ? 0 : s === SYS_PREVIOUS ? 1 : 2);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * The base as it still applies: a side whose secret was deleted and made again under the same
 * name (another incarnation) reuses version ids for other values, so what the base knew there is
 * dropped; the other side's versions stay known (seen), so the new secret's versions count as
 * new on its side only.
 */
export function rebase(base: SyncBase | undefined, local: SecretState | null, remote: SecretState | null): SyncBase | undefined {
  let b = base;
  for (const [side, state] of [
    ['local', local],
    ['remote', remote],
  ] as const) {
    const was = b?.incarnation?.[side];
    if (!b || !state?.incarnation || was === undefined || was === state.incarnation) continue;
    const otherSide = other(side);
    b = {
      ...b,
      pairs: [],
      seen: { [side]: [], [otherSide]: [...(b.seen?.[otherSide] ?? []), ...b.pairs.map((p) => p[col(otherSide)])] } as { local: string[]; remote: string[] },
      stages: {},
      incarnation: { ...b.incarnation, [side]: undefined },
    };
  }
  return b;
}

export function planSecret(
  name: string,
  local: SecretState | null,
  remote: SecretState | null,
  storedBase: SyncBase | undefined,
  direction: Direction,
): PlanItem {
  const base = rebase(storedBase, local, remote);
  const incarnation = { local: local?.incarnation, remote: remote?.incarnation };
  const srcSide: SideName = direction === 'pull' ? 'remote' : 'local';
  const tgtSide = other(srcSide);
  const src = direction === 'pull' ? remote : local;
  const tgt = direction === 'pull' ? local : remote;
  const keep = base?.keep;
  const synced = !!base && base.pairs.length > 0;
  const targetIds = tgt?.pending ? [] : (tgt?.versions.map((v) => v.id) ?? []);
  const item = (action: PlanAction, rest: Partial<PlanItem> = {}): PlanItem => ({
    name,
    action,
    steps: [],
    pending: false,
    targetIds,
    next: null,
    base,
    ...rest,
  });
  const choice = `choose with \`remote resolve --keep local|remote\``;

  const srcGone = !src || !!src.pending;
  const tgtGone = !tgt || !!tgt.pending;
  if (srcGone && tgtGone) return item('unchanged', { detail: 'on neither side', next: base ? 'forget' : null });

  if (srcGone) {
    if (!synced && !src?.pending) return item('unchanged', { pending: true, detail: `only on the ${tgtSide} side` });
    const how = src?.pending ? 'scheduled for deletion' : 'deleted';
    if (keep === srcSide)
      return item('remove', {
        steps: [{ kind: 'schedule-delete' }],
        detail: `${how} on the ${srcSide} side, kept: scheduled for deletion here too (restorable during its recovery window)`,
        next: 'forget',
      });
    if (keep === tgtSide)
      return item('unchanged', {
        pending: true,
        detail: `kept ${tgtSide}: the ${direction === 'pull' ? 'push' : 'pull'} brings it back on the ${srcSide} side`,
      });
    return item('conflict', {
      detail: `${how} on the ${srcSide} side since the last sync, still on the ${tgtSide} side; ${choice} (keeping the deletion schedules it here too)`,
    });
  }

  if (tgtGone && (synced || tgt?.pending)) {
    const how = tgt?.pending ? 'scheduled for deletion' : 'deleted';
    if (keep === tgtSide)
      return item('unchanged', {
        pending: true,
        detail: `kept the deletion on the ${tgtSide} side: the ${direction === 'pull' ? 'push' : 'pull'} schedules it on the ${srcSide} side`,
      });
    if (keep !== srcSide) return item('conflict', { detail: `${how} on the ${tgtSide} side since the last sync, still on the ${srcSide} side; ${choice}` });
    // Kept the side that still has it: a scheduled deletion is cancelled (apply then plans again
    // against the restored secret); a deleted secret is created anew with every version.
    if (tgt?.pending) return item('update', { steps: [{ kind: 'restore' }], detail: `kept ${srcSide}: restored from its scheduled deletion` });
  }

  if (tgtGone) {
    const steps: Step[] = src.versions.map((v, i) => ({ kind: i === 0 ? 'create' : 'append', source: v.id }) as Step);
    const stages = stageSteps(
      src,
      null,
      [],
      src.versions.map((v) => v.id),
      () => undefined,
    );
    steps.push(...stages.steps);
    return item('add', {
      steps,
      detail: `${src.versions.length} version(s)${stages.steps.length ? `; ${describeStages(stages.steps)}` : ''}`,
      next: {
        replace: true,
        adopt: [],
        seen: { local: [], remote: [] },
        stages: stages.agreed,
        keepStages: [],
        incarnation: { ...incarnation, [tgtSide]: undefined },
      },
    });
  }
  return planBoth(src, tgt, base, srcSide, item, choice, incarnation);
}

/** Both sides have the secret: versions first (append, adopt, or conflict), then stages. */
function planBoth(
  src: SecretState,
  tgt: SecretState,
  base: SyncBase | undefined,
  srcSide: SideName,
  item: (action: PlanAction, rest?: Partial<PlanItem>) => PlanItem,
  choice: string,
  incarnation: NextBase['incarnation'],
): PlanItem {
  const tgtSide = other(srcSide);
  const S = col(srcSide);
  const T = col(tgtSide);
  const keep = base?.keep;
  const pairs = base?.pairs ?? [];
  const seen = { local: [...(base?.seen?.local ?? [])], remote: [...(base?.seen?.remote ?? [])] };
  const knownS = new Set([...pairs.map((p) => p[S]), ...seen[srcSide]]);
  const knownT = new Set([...pairs.map((p) => p[T]), ...seen[tgtSide]]);
  const srcNew = src.versions.filter((v) => !knownS.has(v.id));
  const tgtNew = tgt.versions.filter((v) => !knownT.has(v.id));

  // The same values in the same order, new on both sides, are the same versions (a lost answer
  // of an earlier sync, or the same history made twice): paired, never copied again.
  const adopt: Pair[] = [];
  let i = 0;
  for (; i < Math.min(srcNew.length, tgtNew.length) && srcNew[i]?.digest === tgtNew[i]?.digest; i++) {
    const [s, t] = [srcNew[i] as VersionState, tgtNew[i] as VersionState];
    adopt.push(srcSide === 'local' ? [s.id, t.id, s.digest] : [t.id, s.id, s.digest]);
  }
  let restSrc = srcNew.slice(i);
  let restTgt = tgtNew.slice(i);
  let pending = false;
  const notes: string[] = [];
  const current = (s: SecretState) => s.versions.find((v) => v.id === s.stages[SYS_CURRENT]);

  if (restSrc.length && restTgt.length) {
    if (keep === srcSide) {
      seen[tgtSide].push(...restTgt.map((v) => v.id));
      notes.push(`kept ${srcSide} over ${tgtSide} ${restTgt.map((v) => v.id).join(', ')}`);
      restTgt = [];
    } else if (keep === tgtSide) {
      return item('unchanged', { pending: true, detail: `kept ${tgtSide}: the ${srcSide === 'remote' ? 'push' : 'pull'} applies it` });
    } else if (current(src) && current(src)?.digest === current(tgt)?.digest) {
      // Both sides moved on to the same value: that is agreement. The current versions are
      // paired; the other new versions stay where they are, each on its own side.
      const [s, t] = [current(src) as VersionState, current(tgt) as VersionState];
      adopt.push(srcSide === 'local' ? [s.id, t.id, s.digest] : [t.id, s.id, s.digest]);
      seen[srcSide].push(...restSrc.filter((v) => v.id !== s.id).map((v) => v.id));
      seen[tgtSide].push(...restTgt.filter((v) => v.id !== t.id).map((v) => v.id));
      notes.push('the same current value on both sides');
      restSrc = [];
      restTgt = [];
    } else {
      const sides = srcSide === 'local' ? [restSrc, restTgt] : [restTgt, restSrc];
      return item('conflict', {
        detail: `both sides have new versions since the last sync: local: ${(sides[0] as VersionState[]).map(label).join(', ')}; remote: ${(sides[1] as VersionState[]).map(label).join(', ')}; ${choice}`,
      });
    }
  }
  const pendingTgt = new Set<string>();
  if (restTgt.length) {
    if (keep === srcSide) {
      seen[tgtSide].push(...restTgt.map((v) => v.id));
      notes.push(`kept ${srcSide} over ${tgtSide} ${restTgt.map((v) => v.id).join(', ')}`);
    } else {
      pending = true;
      for (const v of restTgt) pendingTgt.add(`${tgtSide}:${v.id}`);
      notes.push(`${restTgt.length} version(s) on the ${tgtSide} side to ${srcSide === 'remote' ? 'push' : 'pull'}`);
    }
    restTgt = [];
  }
  if (restSrc.length && keep === tgtSide)
    return item('unchanged', { pending: true, detail: `kept ${tgtSide}: the ${srcSide === 'remote' ? 'push' : 'pull'} applies it` });

  const appended = restSrc.map((v) => v.id);
  // Source id of a target version, through the pairs (the newest pair wins).
  const allPairs = [...pairs, ...adopt];
  const toSource = (tid: string | undefined): string | undefined => {
    if (tid === undefined) return undefined;
    for (let k = allPairs.length - 1; k >= 0; k--) if ((allPairs[k] as Pair)[T] === tid) return (allPairs[k] as Pair)[S];
    return `${tgtSide}:${tid}`;
  };
  const mappable = new Set([...allPairs.map((p) => p[S]), ...appended]);
  const baseStages = base?.stages ?? {};
  const moved = (side: SideName, stage: string, pos: string | undefined) => pos !== baseStages[stage]?.[col(side)];
  const stages = stageSteps(src, tgt, tgt.versions.length ? appended : [], appended, toSource, {
    srcMoved: (st) => moved(srcSide, st, src.stages[st]) || keep === srcSide,
    tgtMoved: (st) => moved(tgtSide, st, tgt.stages[st]) && keep !== srcSide,
    mappable: (id) => mappable.has(id),
    tgtPending: (pos) => pos !== undefined && pendingTgt.has(pos),
    describe: (st) => {
      const [l, r] = srcSide === 'local' ? [src.stages[st], tgt.stages[st]] : [tgt.stages[st], src.stages[st]];
      return `${st}: local ${l ?? 'none'}, remote ${r ?? 'none'}`;
    },
  });
  if (stages.conflicts.length) {
    return item('conflict', { detail: `both sides moved a stage since the last sync: ${stages.conflicts.join('; ')}; ${choice}` });
  }
  if (stages.pending.length) {
    pending = true;
    notes.push(`stage(s) ${stages.pending.join(', ')} moved on the ${tgtSide} side`);
  }
  const steps: Step[] = [...appended.map((source) => ({ kind: 'append', source }) as Step), ...stages.steps];
  const action: PlanAction = appended.length ? 'update' : stages.steps.length ? 'stage-move' : 'unchanged';
  const what = [
    appended.length ? `${appended.length} new version(s): ${appended.join(', ')}` : '',
    stages.steps.length ? describeStages(stages.steps) : '',
    ...notes,
  ].filter(Boolean);
  const resolved = keep === srcSide;
  return item(action, {
    steps,
    pending,
    detail: what.length ? what.join('; ') : undefined,
    next: { replace: false, adopt, seen, stages: stages.agreed, keepStages: stages.pending, incarnation, ...(keep && !resolved ? { keep } : {}) },
  });
}

function describeStages(steps: Step[]): string {
  return steps
    .map((s) => (s.kind === 'stage' ? `${s.stage} → ${s.source}` : s.kind === 'unstage' ? `${s.stage} removed` : ''))
    .filter(Boolean)
    .join(', ');
}

/** A target position with no counterpart on the source side (`toSource` marks it `local:`/`remote:`). */
const unshared = (pos: string | undefined) => pos?.includes(':') ?? false;

interface StageRules {
  srcMoved(stage: string): boolean;
  tgtMoved(stage: string): boolean;
  mappable(sourceId: string): boolean;
  /** A target version the other direction will carry back (its stage moves travel with it). */
  tgtPending(sourcePos: string | undefined): boolean;
  /** `SYSCURRENT: local v1, remote v3` */
  describe(stage: string): string;
}

/**
 * The stage writes that make the target's stages the source's, in source ids. `appendedOnTarget`
 * are the versions the steps add to an existing target: each becomes SYSCURRENT there and pushes
 * the old one to SYSPREVIOUS, so the target's stages are simulated through them first. Without
 * `rules` (a secret created anew) every source stage is copied.
 *
 * Per stage: already equal after the appends → agreed; equal before them (the appends moved it)
 * or moved on the source side only → a write; moved on the target side only, or onto a version
 * the other direction carries → pending; moved on both sides to different versions → conflict.
 */
function stageSteps(
  src: SecretState,
  tgt: SecretState | null,
  appendedOnTarget: string[],
  created: string[],
  toSource: (tid: string | undefined) => string | undefined,
  rules?: StageRules,
): { steps: Step[]; agreed: Record<string, string>; pending: string[]; conflicts: string[] } {
  const before: Record<string, string | undefined> = {};
  for (const [st, id] of Object.entries(tgt?.stages ?? {})) before[st] = toSource(id);
  const sim: Record<string, string | undefined> = { ...before };
  const moveCurrent = (to: string) => {
    if (sim[SYS_CURRENT] !== undefined && sim[SYS_CURRENT] !== to) sim[SYS_PREVIOUS] = sim[SYS_CURRENT];
    sim[SYS_CURRENT] = to;
  };
  for (const id of tgt ? appendedOnTarget : created) moveCurrent(id);
  const steps: Step[] = [];
  const agreed: Record<string, string> = {};
  const pending: string[] = [];
  const conflicts: string[] = [];
  for (const st of stageOrder([...Object.keys(src.stages), ...Object.keys(tgt?.stages ?? {})])) {
    const want = src.stages[st];
    // SYSPREVIOUS follows SYSCURRENT on each side; it is compared only where both sides share
    // the version it points at (after a resolved conflict the older ones may differ).
    if (st === SYS_PREVIOUS && (want === undefined || (rules && (!rules.mappable(want) || unshared(before[st]))))) continue;
    if (sim[st] === want) {
      if (want !== undefined) agreed[st] = want;
      continue;
    }
    if (rules && before[st] !== want) {
      if (rules.tgtPending(before[st])) {
        pending.push(st);
        continue;
      }
      if (rules.tgtMoved(st)) {
        if (rules.srcMoved(st)) conflicts.push(rules.describe(st));
        else pending.push(st);
        continue;
      }
    }
    if (rules && want !== undefined && !rules.mappable(want)) {
      conflicts.push(`${rules.describe(st)} (a version the other side does not have)`);
      continue;
    }
    if (want === undefined) {
      if (st === SYS_CURRENT) continue;
      steps.push({ kind: 'unstage', stage: st });
      delete sim[st];
      continue;
    }
    steps.push({ kind: 'stage', stage: st, source: want });
    if (st === SYS_CURRENT) moveCurrent(want);
    else sim[st] = want;
    agreed[st] = want;
  }
  return { steps, agreed, pending, conflicts };
}
