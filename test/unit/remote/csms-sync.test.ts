// CSMS sync plan + apply between two in-memory sides (test/helpers/memory-csms.ts): lost
// answers, resolved conflicts, deletions, and the planner's property: for random histories on
// both sides (edits, stage moves, deletions, syncs, resolutions, lost answers), after
// apply(plan) a new plan has nothing left to do but reported conflicts, and a sync both ways
// leaves no silent difference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySide } from '../../helpers/memory-csms.js';
import { planAll, syncMemory, type Bases } from '../../helpers/memory-sync.js';

function sides(): { local: MemorySide; remote: MemorySide; bases: Bases } {
  return { local: new MemorySide(), remote: new MemorySide(), bases: new Map() };
}
const values = (s: MemorySide, name: string) => s.secrets.get(name)?.values;

describe('csms apply: lost answers', () => {
  it('a version whose answer was lost is found on the remote, not written twice', async () => {
    const { local, remote, bases } = sides();
    local.addVersion('db', 'a');
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'add' });
    local.addVersion('db', 'b');
    local.addVersion('db', 'c');
    remote.lose = 1;
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'update' });
    expect(values(remote, 'db')).toEqual(['a', 'b', 'c']);
    expect(await syncMemory(local, remote, bases, 'pull')).toEqual({ db: 'unchanged' });
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'unchanged' });
  });

  it('a write that never arrived stops the secret as failed; the rerun writes it once', async () => {
    const { local, remote, bases } = sides();
    local.addVersion('db', 'a');
    await syncMemory(local, remote, bases, 'push');
    local.addVersion('db', 'b');
    remote.drop = 1;
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'failed' });
    expect(values(remote, 'db')).toEqual(['a']);
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'update' });
    expect(values(remote, 'db')).toEqual(['a', 'b']);
  });

  it('a rerun after a lost answer that the first run could not find (it landed later) adopts it', async () => {
    const { local, remote, bases } = sides();
    local.addVersion('db', 'a');
    await syncMemory(local, remote, bases, 'push');
    local.addVersion('db', 'b');
    remote.drop = 1;
    await syncMemory(local, remote, bases, 'push');
    remote.addVersion('db', 'b'); // the delayed request lands after the read-back
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'unchanged' });
    expect(values(remote, 'db')).toEqual(['a', 'b']);
  });
});

describe('csms apply: conflicts resolved', () => {
  async function conflicted() {
    const s = sides();
    s.local.addVersion('db', 'a');
    await syncMemory(s.local, s.remote, s.bases, 'push');
    s.local.addVersion('db', 'mine');
    s.remote.addVersion('db', 'theirs');
    s.remote.addVersion('db', 'theirs-2');
    expect(await syncMemory(s.local, s.remote, s.bases, 'pull')).toEqual({ db: 'conflict' });
    expect(await syncMemory(s.local, s.remote, s.bases, 'push')).toEqual({ db: 'conflict' });
    return s;
  }

  it('--keep local: the push appends the local value on the remote; nothing deleted; then both agree', async () => {
    const { local, remote, bases } = await conflicted();
    bases.set('db', { ...(bases.get('db') as NonNullable<ReturnType<Bases['get']>>), keep: 'local' });
    expect(await syncMemory(local, remote, bases, 'pull')).toEqual({ db: 'unchanged' });
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'update' });
    expect(values(remote, 'db')).toEqual(['a', 'theirs', 'theirs-2', 'mine']);
    expect(remote.view('db')?.current).toBe('mine');
    expect(await syncMemory(local, remote, bases, 'pull')).toEqual({ db: 'unchanged' });
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'unchanged' });
    expect(bases.get('db')?.keep).toBeUndefined();
  });

  it('--keep remote: the pull appends the remote versions here', async () => {
    const { local, remote, bases } = await conflicted();
    bases.set('db', { ...(bases.get('db') as NonNullable<ReturnType<Bases['get']>>), keep: 'remote' });
    expect(await syncMemory(local, remote, bases, 'pull')).toEqual({ db: 'update' });
    expect(values(local, 'db')).toEqual(['a', 'mine', 'theirs', 'theirs-2']);
    expect(local.view('db')).toEqual(remote.view('db'));
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ db: 'unchanged' });
  });

  it('a deletion kept schedules it on the other side; the other choice recreates it', async () => {
    const { local, remote, bases } = sides();
    for (const n of ['gone', 'back']) local.addVersion(n, 'v');
    await syncMemory(local, remote, bases, 'push');
    remote.secrets.delete('gone');
    remote.secrets.delete('back');
    expect(await syncMemory(local, remote, bases, 'pull')).toEqual({ back: 'conflict', gone: 'conflict' });
    bases.set('gone', { ...(bases.get('gone') as NonNullable<ReturnType<Bases['get']>>), keep: 'remote' });
    bases.set('back', { ...(bases.get('back') as NonNullable<ReturnType<Bases['get']>>), keep: 'local' });
    expect(await syncMemory(local, remote, bases, 'pull')).toEqual({ back: 'unchanged', gone: 'remove' });
    expect(local.secrets.get('gone')?.pending).toBe(true);
    expect(await syncMemory(local, remote, bases, 'push')).toEqual({ back: 'add', gone: 'unchanged' });
    expect(values(remote, 'back')).toEqual(['v']);
    expect(await planAll(local, remote, bases, 'pull')).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'back', action: 'unchanged', pending: false })]),
    );
  });
});

// ---- the property ----

type Op =
  | { kind: 'add'; side: 'local' | 'remote'; name: string; value: string }
  | { kind: 'stage'; side: 'local' | 'remote'; name: string; stage: string; index: number }
  | { kind: 'unstage'; side: 'local' | 'remote'; name: string }
  | { kind: 'delete'; side: 'local' | 'remote'; name: string; schedule: boolean }
  | { kind: 'sync'; direction: 'pull' | 'push' }
  | { kind: 'resolve'; name: string; keep: 'local' | 'remote' }
  | { kind: 'fault'; lose: boolean };

const side = fc.constantFrom('local' as const, 'remote' as const);
const name = fc.constantFrom('a', 'b', 'c');
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('add' as const), side, name, value: fc.constantFrom('x', 'y', 'z') }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('stage' as const), side, name, stage: fc.constantFrom('SYSCURRENT', 'GREEN'), index: fc.nat(5) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('unstage' as const), side, name }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), side, name, schedule: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('sync' as const), direction: fc.constantFrom('pull' as const, 'push' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('resolve' as const), name, keep: side }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fault' as const), lose: fc.boolean() }), weight: 1 },
);

async function run(ops: Op[], s: ReturnType<typeof sides>): Promise<void> {
  for (const o of ops) {
    if (o.kind === 'sync') await syncMemory(s.local, s.remote, s.bases, o.direction);
    else if (o.kind === 'fault') s.remote[o.lose ? 'lose' : 'drop'] = 1;
    else if (o.kind === 'resolve') s.bases.set(o.name, { ...(s.bases.get(o.name) ?? { remote: 'r', name: o.name, pairs: [] }), keep: o.keep });
    else {
      const m = s[o.side];
      if (o.kind === 'add') m.addVersion(o.name, o.value);
      else if (o.kind === 'stage') m.moveStage(o.name, o.stage, o.index);
      else if (o.kind === 'unstage') m.dropStage(o.name, 'GREEN');
      else if (o.schedule) {
        const sec = m.secrets.get(o.name);
        if (sec) sec.pending = true;
      } else m.secrets.delete(o.name);
    }
  }
}

describe('csms sync planner: property', () => {
  it('after apply(plan), a new plan in the same direction has only unchanged or reported conflicts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.constantFrom('pull' as const, 'push' as const), async (ops, direction) => {
        const s = sides();
        await run(ops, s);
        [s.remote.lose, s.remote.drop] = [0, 0];
        await syncMemory(s.local, s.remote, s.bases, direction);
        for (const item of await planAll(s.local, s.remote, s.bases, direction)) {
          expect(['unchanged', 'conflict'], `${item.name}: ${item.action} ${item.detail ?? ''}`).toContain(item.action);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a pull and a push leave every secret either the same on both sides or reported as a conflict', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const s = sides();
        await run(ops, s);
        [s.remote.lose, s.remote.drop] = [0, 0];
        await syncMemory(s.local, s.remote, s.bases, 'pull');
        await syncMemory(s.local, s.remote, s.bases, 'push');
        const reported = new Set(
          [...(await planAll(s.local, s.remote, s.bases, 'pull')), ...(await planAll(s.local, s.remote, s.bases, 'push'))]
            .filter((i) => i.action === 'conflict')
            .map((i) => i.name),
        );
        for (const n of ['a', 'b', 'c']) {
          if (reported.has(n)) continue;
          expect(s.local.view(n), `${n} differs silently`).toEqual(s.remote.view(n));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
