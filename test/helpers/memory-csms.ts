/**
 * A CSMS side in memory, for sync tests without a server: versions `v1…` in order; a new version
 * becomes SYSCURRENT and the old current SYSPREVIOUS; moving SYSCURRENT drags SYSPREVIOUS along;
 * a scheduled deletion hides the secret until restored (the rules of docs/secrets.md, as the
 * vault's CSMS applies them). `lose` makes the next version write happen but its answer lost.
 */
import { OutcomeUnknown } from '../../electron/core/remote/http-client.js';
import type { SecretState } from '../../electron/core/remote/sync/csms-plan.js';
import { digest, type CsmsSide, type KnownDigest, type OnValue, type Value } from '../../electron/core/remote/sync/csms-sides.js';

interface MemSecret {
  /** The secret's id: a new one each time the name is created. */
  id: string;
  values: string[];
  stages: Record<string, string>;
  pending: boolean;
}

export class MemorySide implements CsmsSide {
  readonly secrets = new Map<string, MemSecret>();
  /** The next N version writes happen, but throw OutcomeUnknown as if their answer was lost. */
  lose = 0;
  /** The next N version writes throw OutcomeUnknown without happening (a request that never arrived). */
  drop = 0;
  private made = 0;

  private live(name: string): MemSecret {
    const s = this.secrets.get(name);
    if (!s || s.pending) throw Object.assign(new Error(`no usable secret ${name}`), { status: 404 });
    return s;
  }

  // ---- the user's own edits on this side ----
  addVersion(name: string, value: string): void {
    const s = this.secrets.get(name);
    if (!s) this.secrets.set(name, { id: `id${++this.made}`, values: [value], stages: { SYSCURRENT: 'v1' }, pending: false });
    else if (!s.pending) this.push(s, value);
  }
  moveStage(name: string, stage: string, index: number): void {
    const s = this.secrets.get(name);
    if (!s || s.pending) return;
    this.stage(s, stage, `v${(index % s.values.length) + 1}`);
  }
  dropStage(name: string, stage: string): void {
    const s = this.secrets.get(name);
    if (s && !s.pending && stage !== 'SYSCURRENT' && stage !== 'SYSPREVIOUS') delete s.stages[stage];
  }
  /** The current value and each stage's value: what a user of this side sees. */
  view(name: string): { current: string; stages: Record<string, string> } | null {
    const s = this.secrets.get(name);
    if (!s || s.pending) return null;
    const at = (id: string) => s.values[Number(id.slice(1)) - 1] as string;
    return {
      current: at(s.stages.SYSCURRENT as string),
      stages: Object.fromEntries(
        Object.entries(s.stages)
          .filter(([st]) => st !== 'SYSPREVIOUS')
          .map(([st, id]) => [st, at(id)]),
      ),
    };
  }

  private push(s: MemSecret, value: string): string {
    s.values.push(value);
    const id = `v${s.values.length}`;
    this.stage(s, 'SYSCURRENT', id);
    return id;
  }
  private stage(s: MemSecret, stage: string, id: string): void {
    if (stage === 'SYSCURRENT' && s.stages.SYSCURRENT && s.stages.SYSCURRENT !== id) s.stages.SYSPREVIOUS = s.stages.SYSCURRENT;
    s.stages[stage] = id;
  }
  private fault(write: () => string): string {
    if (this.drop > 0) {
      this.drop--;
      throw new OutcomeUnknown('test: request lost.', false);
    }
    const id = write();
    if (this.lose > 0) {
      this.lose--;
      throw new OutcomeUnknown('test: answer lost.', false);
    }
    return id;
  }

  // ---- CsmsSide ----
  async names(): Promise<string[]> {
    return [...this.secrets.keys()];
  }
  async state(name: string, known: KnownDigest, onValue?: OnValue): Promise<SecretState | null> {
    const s = this.secrets.get(name);
    if (!s) return null;
    if (s.pending) return { versions: [], stages: {}, pending: true, incarnation: s.id };
    return {
      incarnation: s.id,
      versions: s.values.map((v, i) => {
        const id = `v${i + 1}`;
        const value = { secret_string: v };
        if (known(id, s.id) === undefined || onValue?.readAll) onValue?.got(id, value);
        return { id, created: i * 1000, digest: known(id, s.id) ?? digest(value) };
      }),
      stages: { ...s.stages },
    };
  }
  async value(name: string, id: string): Promise<Value> {
    const v = this.live(name).values[Number(id.slice(1)) - 1];
    if (v === undefined) throw new Error(`no version ${id} of ${name}`);
    return { secret_string: v };
  }
  async incarnation(name: string): Promise<string | undefined> {
    return this.secrets.get(name)?.id;
  }
  async create(name: string, first: Value): Promise<string> {
    if (this.secrets.has(name)) throw Object.assign(new Error(`${name} exists`), { status: 400 });
    return this.fault(() => {
      this.secrets.set(name, {
        id: `id${++this.made}`,
        values: [(first as { secret_string: string }).secret_string],
        stages: { SYSCURRENT: 'v1' },
        pending: false,
      });
      return 'v1';
    });
  }
  async append(name: string, value: Value): Promise<string> {
    const s = this.live(name);
    return this.fault(() => this.push(s, (value as { secret_string: string }).secret_string));
  }
  async setStage(name: string, stage: string, versionId: string): Promise<void> {
    const s = this.live(name);
    if (Number(versionId.slice(1)) > s.values.length) throw new Error(`no version ${versionId}`);
    this.stage(s, stage, versionId);
  }
  async deleteStage(name: string, stage: string): Promise<void> {
    const s = this.live(name);
    if (!(stage in s.stages)) throw Object.assign(new Error('no such stage'), { status: 404 });
    delete s.stages[stage];
  }
  async scheduleDelete(name: string): Promise<void> {
    this.live(name).pending = true;
  }
  async restore(name: string): Promise<void> {
    const s = this.secrets.get(name);
    if (!s?.pending) throw new Error(`${name} is not pending deletion`);
    s.pending = false;
  }
}
