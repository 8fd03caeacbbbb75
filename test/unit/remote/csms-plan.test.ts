// The CSMS sync planner's decision table, without a server: one secret's state on each side and
// its base in, the action, its steps and the conflict label out.
import { describe, expect, it } from 'vitest';
import { planSecret, type SecretState, type SyncBase } from '../../../electron/core/remote/sync/csms-plan.js';
import { digest } from '../../../electron/core/remote/sync/csms-sides.js';

const d = (v: string) => digest({ secret_string: v });
/** A secret holding `values` as v1…; SYSCURRENT on the newest, SYSPREVIOUS on the one before, unless `stages` says otherwise. */
function st(values: string[], stages: Record<string, string> = {}): SecretState {
  const n = values.length;
  const sys: Record<string, string> = { SYSCURRENT: `v${n}`, ...(n > 1 ? { SYSPREVIOUS: `v${n - 1}` } : {}) };
  return { versions: values.map((v, i) => ({ id: `v${i + 1}`, created: Date.UTC(2026, 11, 1, i), digest: d(v) })), stages: { ...sys, ...stages } };
}
/** The base after a sync of `values` (same ids both sides) with the default stages. */
function base(values: string[], extra: Partial<SyncBase> = {}): SyncBase {
  const n = values.length;
  return {
    remote: 'r',
    name: 's',
    pairs: values.map((v, i) => [`v${i + 1}`, `v${i + 1}`, d(v)]),
    stages: { SYSCURRENT: [`v${n}`, `v${n}`], ...(n > 1 ? { SYSPREVIOUS: [`v${n - 1}`, `v${n - 1}`] as [string, string] } : {}) },
    ...extra,
  };
}

describe('csms sync planner: versions', () => {
  it('adds a secret that only the source has, every version in order', () => {
    const p = planSecret('s', null, st(['a', 'b']), undefined, 'pull');
    expect(p.action).toBe('add');
    expect(p.steps).toEqual([
      { kind: 'create', source: 'v1' },
      { kind: 'append', source: 'v2' },
    ]);
  });

  it('leaves a secret that only the target has to the other direction', () => {
    const p = planSecret('s', st(['a']), null, undefined, 'pull');
    expect(p).toMatchObject({ action: 'unchanged', pending: true, steps: [] });
  });

  it('adopts the same history on both sides without writing', () => {
    const p = planSecret('s', st(['a', 'b']), st(['a', 'b']), undefined, 'pull');
    expect(p).toMatchObject({ action: 'unchanged', steps: [], pending: false });
    expect(p.next).toMatchObject({
      adopt: [
        ['v1', 'v1', d('a')],
        ['v2', 'v2', d('b')],
      ],
    });
  });

  it('appends the versions new on the source side since the base', () => {
    const p = planSecret('s', st(['a', 'b']), st(['a', 'b', 'c']), base(['a', 'b']), 'pull');
    expect(p.action).toBe('update');
    expect(p.steps).toEqual([{ kind: 'append', source: 'v3' }]);
  });

  it('says a pull leaves the versions new here for the push', () => {
    const p = planSecret('s', st(['a', 'b', 'c']), st(['a', 'b']), base(['a', 'b']), 'pull');
    expect(p).toMatchObject({ action: 'unchanged', pending: true, steps: [] });
    expect(p.detail).toContain('1 version(s) on the local side to push');
  });

  it('labels a conflict with both sides: which versions, when, which value', () => {
    const p = planSecret('s', st(['a', 'b', 'x']), st(['a', 'b', 'y', 'z']), base(['a', 'b']), 'push');
    expect(p.action).toBe('conflict');
    expect(p.steps).toEqual([]);
    expect(p.detail).toContain(
      `local: v3 (2026-12-01T02:00:00.000Z, sha ${d('x').slice(0, 8)}); remote: v3 (2026-12-01T02:00:00.000Z, sha ${d('y').slice(0, 8)}), v4 (`,
    );
    expect(p.detail).toContain('remote resolve --keep local|remote');
  });

  it('a secret on both sides with different histories and no base is a conflict', () => {
    expect(planSecret('s', st(['a']), st(['b']), undefined, 'pull').action).toBe('conflict');
  });

  it('the same new value on both sides is agreement, not a conflict', () => {
    const same = planSecret('s', st(['a', 'n']), st(['a', 'n']), base(['a']), 'pull');
    expect(same).toMatchObject({ action: 'unchanged', steps: [] });
    const sameCurrent = planSecret('s', st(['a', 'x', 'n']), st(['a', 'n']), base(['a']), 'pull');
    expect(sameCurrent).toMatchObject({ action: 'unchanged', steps: [] });
    expect(sameCurrent.next).toMatchObject({ adopt: [['v3', 'v2', d('n')]], seen: { local: ['v2'], remote: [] } });
  });

  it('recognises versions a lost answer already created on the target (no second copy)', () => {
    const p = planSecret('s', st(['a', 'b', 'c']), st(['a', 'b']), base(['a']), 'push');
    expect(p.steps).toEqual([{ kind: 'append', source: 'v3' }]);
    expect(p.next).toMatchObject({ adopt: [['v2', 'v2', d('b')]] });
  });
});

describe('csms sync planner: resolved conflicts', () => {
  it('--keep remote: a pull appends the remote versions here as new versions; the local ones stay in history', () => {
    const p = planSecret('s', st(['a', 'x']), st(['a', 'y', 'z']), base(['a'], { keep: 'remote' }), 'pull');
    expect(p.action).toBe('update');
    expect(p.steps).toEqual([
      { kind: 'append', source: 'v2' },
      { kind: 'append', source: 'v3' },
    ]);
    expect(p.next).toMatchObject({ seen: { local: ['v2'], remote: [] } });
    expect(p.next && p.next !== 'forget' ? p.next.keep : 'forget').toBeUndefined();
  });

  it('--keep local: a pull leaves it to the push', () => {
    const p = planSecret('s', st(['a', 'x']), st(['a', 'y']), base(['a'], { keep: 'local' }), 'pull');
    expect(p).toMatchObject({ action: 'unchanged', pending: true, steps: [] });
  });

  it('--keep local when only the remote changed: the push puts the local current back there', () => {
    const p = planSecret('s', st(['a']), st(['a', 'y']), base(['a'], { keep: 'local' }), 'push');
    expect(p.action).toBe('stage-move');
    expect(p.steps).toEqual([{ kind: 'stage', stage: 'SYSCURRENT', source: 'v1' }]);
  });
});

describe('csms sync planner: stages', () => {
  it('a rollback on the source travels as a stage move', () => {
    const p = planSecret('s', st(['a', 'b']), st(['a', 'b'], { SYSCURRENT: 'v1', SYSPREVIOUS: 'v2' }), base(['a', 'b']), 'pull');
    expect(p.action).toBe('stage-move');
    expect(p.steps).toEqual([{ kind: 'stage', stage: 'SYSCURRENT', source: 'v1' }]);
  });

  it('a rollback on the target only is left to the other direction', () => {
    const p = planSecret('s', st(['a', 'b'], { SYSCURRENT: 'v1', SYSPREVIOUS: 'v2' }), st(['a', 'b']), base(['a', 'b']), 'pull');
    expect(p).toMatchObject({ action: 'unchanged', pending: true, steps: [] });
  });

  it('the same stage moved differently on both sides is a labelled conflict', () => {
    const p = planSecret('s', st(['a', 'b', 'c'], { SYSCURRENT: 'v1' }), st(['a', 'b', 'c'], { SYSCURRENT: 'v2' }), base(['a', 'b', 'c']), 'push');
    expect(p.action).toBe('conflict');
    expect(p.detail).toContain('SYSCURRENT: local v1, remote v2');
  });

  it('custom stages travel: created, moved and removed', () => {
    const added = planSecret('s', st(['a', 'b']), st(['a', 'b'], { GREEN: 'v1' }), base(['a', 'b']), 'pull');
    expect(added.steps).toEqual([{ kind: 'stage', stage: 'GREEN', source: 'v1' }]);
    const b = base(['a', 'b']);
    const removed = planSecret('s', st(['a', 'b'], { GREEN: 'v1' }), st(['a', 'b']), { ...b, stages: { ...b.stages, GREEN: ['v1', 'v1'] } }, 'pull');
    expect(removed.steps).toEqual([{ kind: 'unstage', stage: 'GREEN' }]);
  });

  it('a secret added with a rolled-back SYSCURRENT keeps it there', () => {
    const p = planSecret('s', null, st(['a', 'b'], { SYSCURRENT: 'v1', SYSPREVIOUS: 'v2' }), undefined, 'pull');
    expect(p.steps).toEqual([
      { kind: 'create', source: 'v1' },
      { kind: 'append', source: 'v2' },
      { kind: 'stage', stage: 'SYSCURRENT', source: 'v1' },
    ]);
  });
});

describe('csms sync planner: deletions', () => {
  it('a secret deleted on one side since the last sync offers the choice instead of a permanent conflict', () => {
    const p = planSecret('s', st(['a']), null, base(['a']), 'pull');
    expect(p.action).toBe('conflict');
    expect(p.detail).toContain('deleted on the remote side since the last sync');
    expect(p.detail).toContain('remote resolve --keep local|remote');
  });

  it('--keep the deletion schedules it on the other side (restorable) and forgets the base', () => {
    const p = planSecret('s', st(['a']), null, base(['a'], { keep: 'remote' }), 'pull');
    expect(p).toMatchObject({ action: 'remove', steps: [{ kind: 'schedule-delete' }], next: 'forget' });
  });

  it('--keep the side that has it recreates it, every version', () => {
    const p = planSecret('s', null, st(['a', 'b']), base(['a', 'b'], { keep: 'remote' }), 'pull');
    expect(p.action).toBe('add');
    expect(p.steps.slice(0, 2)).toEqual([
      { kind: 'create', source: 'v1' },
      { kind: 'append', source: 'v2' },
    ]);
    expect(p.next).toMatchObject({ replace: true });
  });

  it('a scheduled deletion kept away is restored', () => {
    const p = planSecret('s', { versions: [], stages: {}, pending: true }, st(['a']), base(['a'], { keep: 'remote' }), 'pull');
    expect(p.steps).toEqual([{ kind: 'restore' }]);
  });

  it('gone on both sides: the base is forgotten', () => {
    expect(planSecret('s', null, null, base(['a']), 'push')).toMatchObject({ action: 'unchanged', next: 'forget' });
  });
});
