/**
 * Remotes (Huawei Cloud or another Keyhold) and sync: register one (its secret key goes into
 * the vault and never comes back), test it, preview a sync as a diff (dry run), then apply it.
 * Conflicts are shown and never resolved by overwriting: a secret's conflict is decided with
 * `remote resolve` (keep local or remote), which the next sync in the right direction applies as
 * new versions (docs/sync.md).
 */
import type { RemoteInfo } from '../../../shared/operations/index.js';
import type { MirroredKey, SyncChange } from '../../../shared/operations/remote.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export interface NewRemote {
  name: string;
  kind: 'huawei' | 'keyhold';
  region: string;
  endpoint: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
}

export type SyncService = 'kms' | 'kps' | 'csms';

export interface SyncPlan {
  remote: string;
  service: SyncService;
  direction: 'pull' | 'push';
  changes: SyncChange[];
  applied: boolean;
}

export class RemotesManager {
  remotes = $state<RemoteInfo[]>([]);
  tested = $state<Record<string, string>>({});
  plan = $state<SyncPlan | null>(null);
  mirrored = $state<MirroredKey[]>([]);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  /** A preview with nothing to do, or with conflicts, is not worth applying. */
  get canApply(): boolean {
    const p = this.plan;
    return p !== null && !p.applied && p.changes.some((c) => c.action !== 'unchanged' && c.action !== 'conflict');
  }

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.remotes = (await this.client.call('remoteList', {})).remotes;
      this.mirrored = (await this.client.call('remoteListMirroredKeys', {})).keys;
    });
  }

  async add(r: NewRemote): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('remoteAdd', {
        name: r.name.trim(),
        project_id: r.projectId.trim(),
        access_key: r.accessKey.trim(),
        secret_key: r.secretKey,
        ...(r.kind === 'huawei' ? { region: r.region.trim() } : { endpoint: r.endpoint.trim() }),
      });
      this.remotes = (await this.client.call('remoteList', {})).remotes;
      return true;
    });
    return done === true;
  }

  async remove(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('remoteRemove', { name });
      this.remotes = (await this.client.call('remoteList', {})).remotes;
      if (this.plan?.remote === name) this.plan = null;
    });
  }

  async test(name: string): Promise<void> {
    const res = await this.task.run(() => this.client.call('remoteTest', { name }));
    if (res) this.tested = { ...this.tested, [name]: `Reachable in ${res.latency_ms} ms; ${res.keys_visible} keys visible.` };
  }

  async preview(remote: string, service: SyncService, direction: 'pull' | 'push'): Promise<void> {
    this.plan = null;
    await this.task.run(async () => {
      const res = await this.client.call('remoteSync', { name: remote, service, direction, dry_run: true });
      this.plan = { remote, service, direction, changes: res.changes, applied: false };
    });
  }

  /** Applies exactly the previewed sync (same remote, service and direction). */
  async apply(): Promise<void> {
    const p = this.plan;
    if (!p) return;
    await this.task.run(async () => {
      const res = await this.client.call('remoteSync', { name: p.remote, service: p.service, direction: p.direction, dry_run: false });
      this.plan = { ...p, changes: res.changes, applied: res.applied };
      this.mirrored = (await this.client.call('remoteListMirroredKeys', {})).keys;
    });
  }

  /** Records the decision on a secret's conflict (`remote resolve`), then previews the same sync again. */
  async resolve(secretName: string, keep: 'local' | 'remote'): Promise<void> {
    const p = this.plan;
    if (!p || p.service !== 'csms') return;
    const done = await this.task.run(async () => {
      await this.client.call('remoteResolve', { name: p.remote, service: 'csms', secret_name: secretName, keep });
      return true;
    });
    if (done) await this.preview(p.remote, p.service, p.direction);
  }

  onLock(): void {
    this.remotes = [];
    this.tested = {};
    this.plan = null;
    this.mirrored = [];
    this.task.error = null;
  }
}
