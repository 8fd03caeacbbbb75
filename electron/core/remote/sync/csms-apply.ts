/**
 * Executes a CSMS sync plan (csms-plan.ts) on the target side, one secret at a time, and returns
 * the base each secret has afterwards. A write whose answer was lost (`OutcomeUnknown`) is never
 * sent again blindly: the target is read back, and a version holding the written value that was
 * not there before is taken as the write's result. If it is not there, the secret stops as
 * failed and the next sync, which plans from what is there, continues.
 */
import { KeyholdError } from '../../../../shared/errors.js';
import { OutcomeUnknown } from '../http-client.js';
import { other, planSecret, type Direction, type Pair, type PlanItem, type SecretState, type SideName, type Step, type SyncBase } from './csms-plan.js';
import { digest, type CsmsSide, type KnownDigest } from './csms-sides.js';
import { RemoteErrors } from '../errors.js';

/** A secret whose steps stopped midway: the base of what was written before the failure. */
export class PartialApply extends Error {
  constructor(
    override readonly cause: unknown,
    readonly base: SyncBase | null,
  ) {
    super('sync stopped midway');
  }
}

export interface ApplyContext {
  source: CsmsSide;
  target: CsmsSide;
  direction: Direction;
  remoteId: string;
  /** The source's state as planned (a restore plans again against it). */
  sourceState: SecretState | null;
}

/** The digests a base knows, on one side: only for the incarnation of the secret it was stored with. */
export function knownDigests(base: SyncBase | undefined, side: SideName): KnownDigest {
  const map = new Map((base?.pairs ?? []).map((p) => [side === 'local' ? p[0] : p[1], p[2]]));
  const was = base?.incarnation?.[side];
  return (id, incarnation) => (was === undefined || incarnation === undefined || was === incarnation ? map.get(id) : undefined);
}

/** Runs `item`'s steps; returns the base to store (null: unchanged; 'forget': delete it). */
export async function applyItem(item: PlanItem, ctx: ApplyContext): Promise<SyncBase | 'forget' | null> {
  if (item.next === null && !item.steps.length) return null;
  const base = item.base;
  const srcSide: SideName = ctx.direction === 'pull' ? 'remote' : 'local';
  const S = srcSide === 'local' ? 0 : 1;
  const next = item.next;
  const created: Pair[] = [];
  const startPairs: Pair[] = next && next !== 'forget' ? [...(next.replace ? [] : (base?.pairs ?? [])), ...next.adopt] : [...(base?.pairs ?? [])];
  const pairOf = (sourceId: string, targetId: string, d: string): Pair => (S === 0 ? [sourceId, targetId, d] : [targetId, sourceId, d]);
  const toTarget = (sourceId: string): string | undefined => {
    const all = [...startPairs, ...created];
    for (let k = all.length - 1; k >= 0; k--) if ((all[k] as Pair)[S] === sourceId) return (all[k] as Pair)[1 - S];
    return undefined;
  };
  const targetIds = new Set(item.targetIds);
  // What was written before a failure, for the base. A secret being created anew starts a new
  // history there: nothing the old base said about the target side applies to it.
  const fresh = next && next !== 'forget' && next.replace;
  const soFar = (): SyncBase | null => {
    if (!created.length) return null;
    const from = base ?? { remote: ctx.remoteId, name: item.name, pairs: [] };
    const { seen: _seen, ...rest } = from;
    return fresh
      ? { ...rest, pairs: [...created], stages: {}, incarnation: { ...from.incarnation, [other(srcSide)]: undefined } }
      : { ...from, pairs: [...startPairs, ...created] };
  };

  for (const step of item.steps) {
    try {
      if (step.kind === 'restore') {
        await recoverable(
          () => ctx.target.restore(item.name),
          async () => (await ctx.target.state(item.name, () => undefined))?.pending === false,
        );
        // Its versions are back: plan again against the restored secret, then carry that out.
        const restored = await ctx.target.state(item.name, knownDigests(base, other(srcSide)));
        const [l, r] = ctx.direction === 'pull' ? [restored, ctx.sourceState] : [ctx.sourceState, restored];
        const again = planSecret(item.name, l, r, base, ctx.direction);
        if (again.steps.some((s) => s.kind === 'restore'))
          throw new KeyholdError(RemoteErrors.BadAnswer, `Secret ${item.name} is still scheduled for deletion after its restore.`, 502);
        return await applyItem(again, ctx);
      }
      if (step.kind === 'create' || step.kind === 'append') {
        const value = await ctx.source.value(item.name, step.source);
        const d = digest(value);
        const id = await writeVersion(
          step,
          item.name,
          ctx.target,
          () => (step.kind === 'create' ? ctx.target.create(item.name, value) : ctx.target.append(item.name, value)),
          d,
          targetIds,
          knownDigests({ remote: '', name: '', pairs: [...startPairs, ...created] }, other(srcSide)),
        );
        targetIds.add(id);
        created.push(pairOf(step.source, id, d));
        continue;
      }
      if (step.kind === 'stage') {
        const id = toTarget(step.source);
        if (!id)
          throw new KeyholdError(
            RemoteErrors.BadAnswer,
            `Stage ${step.stage} of ${item.name} points at ${step.source}, which has no counterpart on the other side.`,
            500,
          );
        await ctx.target.setStage(item.name, step.stage, id);
        continue;
      }
      if (step.kind === 'unstage') {
        await ctx.target.deleteStage(item.name, step.stage).catch((e: { status?: number }) => {
          // Already gone (an earlier try whose answer was lost): the goal is reached.
          if (e.status !== 404) throw e;
        });
        continue;
      }
      await recoverable(
        () => ctx.target.scheduleDelete(item.name),
        async () => (await ctx.target.state(item.name, () => undefined))?.pending === true,
      );
    } catch (e) {
      throw new PartialApply(e, soFar());
    }
  }
  if (next === null) return soFar();
  if (next === 'forget') return 'forget';
  const stages: Record<string, [string, string]> = {};
  if (!next.replace) for (const st of next.keepStages) if (base?.stages?.[st]) stages[st] = base.stages[st];
  for (const [st, sourceId] of Object.entries(next.stages)) {
    const t = toTarget(sourceId);
    if (t) stages[st] = S === 0 ? [sourceId, t] : [t, sourceId];
  }
  const incarnation = { ...next.incarnation };
  if (item.steps.some((s) => s.kind === 'create')) incarnation[other(srcSide)] = await ctx.target.incarnation(item.name);
  return {
    remote: ctx.remoteId,
    name: item.name,
    incarnation,
    pairs: [...startPairs, ...created],
    ...(next.seen.local.length || next.seen.remote.length ? { seen: next.seen } : {}),
    stages,
    ...(next.keep ? { keep: next.keep } : {}),
  };
}

/** A write whose answer may be lost: after `OutcomeUnknown`, `done()` reads whether it happened. */
async function recoverable(write: () => Promise<void>, done: () => Promise<boolean>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (!(e instanceof OutcomeUnknown) || !(await done())) throw e;
  }
}

/**
 * Creates a version; after a lost answer, finds it: a version the target did not have before
 * (not in `before`) holding the same value. Not found means the write did not happen (or has
 * not yet): the error stands and the next sync plans from what is there then.
 */
async function writeVersion(
  step: Step,
  name: string,
  target: CsmsSide,
  write: () => Promise<string>,
  d: string,
  before: Set<string>,
  known: KnownDigest,
): Promise<string> {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof OutcomeUnknown)) throw e;
    const now = await target.state(name, known);
    const found = now?.versions.find((v) => !before.has(v.id) && v.digest === d);
    if (!found)
      throw new KeyholdError(
        RemoteErrors.OutcomeUnknown,
        `${e.message} Read back from the remote: the ${step.kind === 'create' ? 'secret' : 'version'} is not there (or not yet), so it was not written again`,
        502,
      );
    return found.id;
  }
}
