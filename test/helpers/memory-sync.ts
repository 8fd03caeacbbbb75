/**
 * Runs a CSMS sync between two in-memory sides with the production planner and apply (the loop
 * csms.ts runs, without a vault or the network): for every secret on either side or in a base,
 * plan, then apply on the target; a push stops at its first failure.
 */
import { applyItem, knownDigests, PartialApply } from '../../electron/core/remote/sync/csms-apply.js';
import { planSecret, type Direction, type PlanItem, type SyncBase } from '../../electron/core/remote/sync/csms-plan.js';
import type { MemorySide } from './memory-csms.js';

export type Bases = Map<string, SyncBase>;

export async function planAll(local: MemorySide, remote: MemorySide, bases: Bases, direction: Direction): Promise<PlanItem[]> {
  const names = [...new Set([...local.secrets.keys(), ...remote.secrets.keys(), ...bases.keys()])].sort();
  const items: PlanItem[] = [];
  for (const name of names) {
    const base = bases.get(name);
    items.push(planSecret(name, await local.state(name, knownDigests(base, 'local')), await remote.state(name, knownDigests(base, 'remote')), base, direction));
  }
  return items;
}

/** Applies a fresh plan; returns each secret's action, `failed` for the one it stopped at. */
export async function syncMemory(local: MemorySide, remote: MemorySide, bases: Bases, direction: Direction): Promise<Record<string, string>> {
  const [source, target] = direction === 'pull' ? [remote, local] : [local, remote];
  const out: Record<string, string> = {};
  for (const item of await planAll(local, remote, bases, direction)) {
    const base = bases.get(item.name);
    const sourceState = await source.state(item.name, knownDigests(base, direction === 'pull' ? 'remote' : 'local'));
    try {
      const next = await applyItem(item, { source, target, direction, remoteId: 'r', sourceState });
      if (next === 'forget') bases.delete(item.name);
      else if (next) bases.set(item.name, next);
      out[item.name] = item.action;
    } catch (e) {
      if (!(e instanceof PartialApply)) throw e;
      if (e.base) bases.set(item.name, e.base);
      out[item.name] = 'failed';
      break;
    }
  }
  return out;
}
