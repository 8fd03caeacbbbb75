/**
 * The two sides of a CSMS sync behind one interface: this vault (through the CSMS handlers, so
 * every rule and audit of a local write applies) and a remote (through its REST API). Reads give
 * the planner's `SecretState`; writes are the planner's steps. Values never leave this module
 * except to be written on the other side.
 */
import { createHash } from 'node:crypto';
import { parseInput } from '../../../../shared/operations/index.js';
import { csmsOperations, type PageInfo, type Secret, type VersionMetadata } from '../../../../shared/operations/csms.js';
import { CsmsErrors } from '../../../../shared/operations/csms-errors.js';
import { csmsHandlers } from '../../secrets/service.js';
import type { SecretsContext } from '../../secrets/context.js';
import { remoteRequest, type HttpDeps } from '../http-client.js';
import { endpointOf, type RemoteRecord } from '../endpoint.js';
import type { SecretState } from './csms-plan.js';

export type Value = { secret_string: string } | { secret_binary: string };

/** A version's digest as the base stores it, if the base knows the version (in that incarnation of the secret). */
export type KnownDigest = (id: string, incarnation: string | undefined) => string | undefined;
export interface OnValue {
  readAll: boolean;
  got(id: string, value: Value): void;
}

export interface CsmsSide {
  /** Every secret name, those scheduled for deletion included. */
  names(): Promise<string[]>;
  /**
   * null when the secret does not exist. Reads the value of each version `known` has no digest
   * for (and of every version when `readAll`), handing each to `onValue`.
   */
  state(name: string, known: KnownDigest, onValue?: OnValue): Promise<SecretState | null>;
  value(name: string, versionId: string): Promise<Value>;
  /** The secret's id (its incarnation), undefined when it does not exist or the side does not say. */
  incarnation(name: string): Promise<string | undefined>;
  /** Creates the secret with its first version; returns that version's id. */
  create(name: string, first: Value): Promise<string>;
  append(name: string, value: Value): Promise<string>;
  setStage(name: string, stage: string, versionId: string): Promise<void>;
  deleteStage(name: string, stage: string): Promise<void>;
  scheduleDelete(name: string): Promise<void>;
  restore(name: string): Promise<void>;
}

/** How long a deletion kept by `remote resolve` can be undone with `csms restore-secret`. */
export const RECOVERY_WINDOW_DAYS = 30;

export function digest(v: Value): string {
  const [kind, text] = 'secret_string' in v ? ['s', v.secret_string] : ['b', v.secret_binary];
  return createHash('sha256').update(`${kind}:${text}`).digest('hex');
}

export function valueOf(v: { secret_string?: string; secret_binary?: string }): Value {
  return v.secret_binary !== undefined ? { secret_binary: v.secret_binary } : { secret_string: v.secret_string ?? '' };
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

const byNumber = (a: VersionMetadata, b: VersionMetadata) => Number(a.id.slice(1)) - Number(b.id.slice(1));

async function toState(
  secret: Secret,
  metas: VersionMetadata[],
  known: KnownDigest,
  value: (id: string) => Promise<Value>,
  onValue?: OnValue,
): Promise<SecretState> {
  const stages: Record<string, string> = {};
  const versions = [];
  for (const m of [...metas].sort(byNumber)) {
    for (const st of m.version_stages ?? []) stages[st] = m.id;
    let d = known(m.id, secret.id);
    if (d === undefined || onValue?.readAll) {
      const v = await value(m.id);
      onValue?.got(m.id, v);
      d ??= digest(v);
    }
    versions.push({ id: m.id, created: m.create_time, digest: d });
  }
  return { versions, stages, ...(secret.id ? { incarnation: secret.id } : {}) };
}

export function localSide(ctx: SecretsContext): CsmsSide {
  const call = <K extends keyof typeof csmsOperations>(op: K, raw: Record<string, unknown>) =>
    (csmsHandlers[op] as (c: SecretsContext, i: unknown) => unknown)(ctx, parseInput(csmsOperations[op], raw));
  const value = async (name: string, id: string) =>
    valueOf(
      ((await call('showSecretVersion', { secret_name: name, version_id: id })) as { version: { secret_string?: string; secret_binary?: string } }).version,
    );
  return {
    names: () =>
      allPages(async (marker) => {
        const r = (await call('listSecrets', { limit: 1000, marker })) as { secrets: Secret[]; page_info: PageInfo };
        return { items: r.secrets.map((s) => s.name), page_info: r.page_info };
      }),
    async state(name, known, onValue) {
      const r = (await Promise.resolve()
        .then(() => call('showSecret', { secret_name: name }))
        .catch(() => null)) as { secret: Secret } | null;
      if (!r) return null;
      if (r.secret.state === 'PENDING_DELETE') return { versions: [], stages: {}, pending: true, incarnation: r.secret.id };
      const metas = await allPages(async (marker) => {
        const p = (await call('listSecretVersions', { secret_name: name, limit: 1000, marker })) as {
          version_metadatas: VersionMetadata[];
          page_info: PageInfo;
        };
        return { items: p.version_metadatas, page_info: p.page_info };
      });
      return toState(r.secret, metas, known, (id) => value(name, id), onValue);
    },
    value,
    incarnation: async (name) =>
      (
        (await Promise.resolve()
          .then(() => call('showSecret', { secret_name: name }))
          .catch(() => null)) as { secret: Secret } | null
      )?.secret.id,
    async create(name, first) {
      await call('createSecret', { name, description: '', ...first });
      return 'v1';
    },
    append: async (name, v) => ((await call('createSecretVersion', { secret_name: name, ...v })) as { version_metadata: VersionMetadata }).version_metadata.id,
    async setStage(name, stage, versionId) {
      await call('updateSecretStage', { secret_name: name, stage_name: stage, version_id: versionId });
    },
    async deleteStage(name, stage) {
      await call('deleteSecretStage', { secret_name: name, stage_name: stage });
    },
    async scheduleDelete(name) {
      await call('deleteSecretForSchedule', { secret_name: name, recovery_window_in_days: RECOVERY_WINDOW_DAYS });
    },
    async restore(name) {
      await call('restoreSecret', { secret_name: name });
    },
  };
}

export function remoteSide(remote: RemoteRecord, http?: HttpDeps): CsmsSide {
  const base = `/v1/${remote.project_id}/secrets`;
  const one = (name: string) => `${base}/${encodeURIComponent(name)}`;
  const send = async <T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    opts: { query?: [string, string][]; body?: unknown; idempotent?: boolean } = {},
  ) => (await remoteRequest(endpointOf(remote), { method, path, ...opts }, http)).body as T;
  const q = (marker: string | undefined): [string, string][] => [['limit', '1000'], ...(marker ? [['marker', marker] as [string, string]] : [])];
  const value = async (name: string, id: string) =>
    valueOf((await send<{ version: { secret_string?: string; secret_binary?: string } }>('GET', `${one(name)}/versions/${id}`)).version);
  return {
    names: () =>
      allPages(async (marker) => {
        const r = await send<{ secrets: Secret[]; page_info?: PageInfo }>('GET', base, { query: q(marker) });
        return { items: r.secrets.map((s) => s.name), page_info: r.page_info };
      }),
    async state(name, known, onValue) {
      const secret = await send<{ secret: Secret }>('GET', one(name)).catch((e: { status?: number; code?: string }) => {
        // Absent only when the remote says so (CSMS.0005 comes as 400 or 404, docs/sync.md):
        // any other error must not look like a deletion.
        if (e.status === 404 || e.code === CsmsErrors.NotFound) return null;
        throw e;
      });
      if (!secret) return null;
      if (secret.secret.state === 'PENDING_DELETE')
        return { versions: [], stages: {}, pending: true, ...(secret.secret.id ? { incarnation: secret.secret.id } : {}) };
      const metas = await allPages(async (marker) => {
        const r = await send<{ version_metadatas: VersionMetadata[]; page_info?: PageInfo }>('GET', `${one(name)}/versions`, { query: q(marker) });
        return { items: r.version_metadatas, page_info: r.page_info };
      });
      return toState(secret.secret, metas, known, (id) => value(name, id), onValue);
    },
    value,
    incarnation: async (name) => (await send<{ secret: Secret }>('GET', one(name))).secret.id || undefined,
    async create(name, first) {
      await send('POST', base, { body: { name, description: '', ...first }, idempotent: false });
      return 'v1';
    },
    append: async (name, v) =>
      (await send<{ version_metadata: VersionMetadata }>('POST', `${one(name)}/versions`, { body: v, idempotent: false })).version_metadata.id,
    async setStage(name, stage, versionId) {
      await send('PUT', `${one(name)}/stages/${encodeURIComponent(stage)}`, { body: { version_id: versionId } });
    },
    async deleteStage(name, stage) {
      await send('DELETE', `${one(name)}/stages/${encodeURIComponent(stage)}`);
    },
    async scheduleDelete(name) {
      await send('POST', `${one(name)}/scheduled-deleted-tasks/create`, { body: { recovery_window_in_days: RECOVERY_WINDOW_DAYS }, idempotent: false });
    },
    async restore(name) {
      await send('POST', `${one(name)}/scheduled-deleted-tasks/cancel`, { body: {}, idempotent: false });
    },
  };
}
