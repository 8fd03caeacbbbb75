/**
 * Remotes (Huawei Cloud or another Keyhold) and sync: register one (its secret key goes into
 * the vault and never comes back), test it, preview a sync as a diff (dry run), then apply it.
 * Conflicts are shown and never resolved by overwriting: a secret's conflict is decided with
 * `remote resolve` (keep local or remote), which the next sync in the right direction applies as
 * new versions (docs/sync.md).
 */
import type { RemoteInfo } from '../../../shared/operations/index.js';
import type { MirroredKey, SyncChange } from '../../../shared/operations/remote.js';
import type { ChosenFile } from '../../../shared/ui/contract.js';
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

/** `remote byok`: material generated here (or read from a chosen file) wrapped locally and imported into a remote CMK. */
export interface ByokToRemote {
  remote: string;
  keyId: string;
  wrappingAlgorithm: 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'RSAES_PKCS1_V1_5';
  /** Seconds since the epoch after which the remote drops the material; null keeps it. */
  expirationTime: number | null;
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
  /** This vault's identity: the project id another Keyhold's `remote add` needs. */
  identity = $state<{ project_id: string; domain_id: string } | null>(null);
  /** remote byok's files, chosen in the desktop app's dialogs: material to import, where to keep an escrow copy. */
  material = $state<ChosenFile | null>(null);
  escrow = $state<ChosenFile | null>(null);
  byokDone = $state<string | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  get transport(): 'ipc' | 'http' {
    return this.client.kind;
  }

  /** remote byok may read and write material files by path: the desktop app's dialogs only, never web mode. */
  get byokAvailable(): boolean {
    return this.client.kind === 'ipc';
  }

  /** A preview with nothing to do, or with conflicts, is not worth applying. */
  get canApply(): boolean {
    const p = this.plan;
    return p !== null && !p.applied && p.changes.some((c) => c.action !== 'unchanged' && c.action !== 'conflict');
  }

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.identity = await this.client.call('vaultShow', {});
      this.remotes = (await this.client.call('remoteList', {})).remotes;
      this.mirrored = (await this.client.call('remoteListMirroredKeys', {})).keys;
    });
  }

  async chooseMaterial(): Promise<void> {
    await this.task.run(async () => {
      const f = await this.client.call('dialog.open-file', { title: 'Choose the 32-byte key material to import' });
      this.material = f.token ? f : null;
    });
  }

  async chooseEscrow(): Promise<void> {
    await this.task.run(async () => {
      const f = await this.client.call('dialog.save-file', { title: 'Keep a copy of the generated material (escrow)', default_name: 'material.bin' });
      this.escrow = f.token ? f : null;
    });
  }

  clearByokFiles(): void {
    this.material = null;
    this.escrow = null;
  }

  async byok(b: ByokToRemote): Promise<void> {
    this.byokDone = null;
    const material = this.material?.token;
    const escrow = this.escrow?.token;
    // Dialog tokens are single-use: whatever happens, the files are chosen again for the next run.
    this.clearByokFiles();
    await this.task.run(async () => {
      const res = await this.client.call('remoteByok', {
        name: b.remote,
        key_id: b.keyId.trim(),
        wrapping_algorithm: b.wrappingAlgorithm,
        ...(material ? { material_file: material } : {}),
        ...(escrow && !material ? { material_out: escrow } : {}),
        ...(b.expirationTime ? { expiration_time: b.expirationTime } : {}),
      });
      this.byokDone = `Imported ${res.material_source === 'file' ? 'the chosen' : 'newly generated'} material into ${res.key_id} on ${res.remote} (wrapped with ${res.wrapping_algorithm})${res.material_out ? '; a copy was kept where you chose' : ''}.`;
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
