/**
 * A remote as stored, and how to reach it: the leaf every part of remote/ reads (remotes.ts,
 * sync/*, byok, ecs, invoke, keyring), so none of them imports remotes.ts, which imports them.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { RemoteInfo } from '../../../shared/operations/remote.js';
import type { RecordStore } from '../vault/store.js';
import type { HttpDeps, RemoteEndpoint } from './http-client.js';
import { RemoteErrors } from './errors.js';

export const REMOTE_TABLE = 'remotes';

export interface RemoteRecord extends RemoteInfo {
  secret_key: string;
}

export interface RemoteContext {
  store: RecordStore;
  now(): number;
  /** Injected in tests to point at a fake network; the real fetch otherwise. */
  http?: HttpDeps;
}

export function getRemote(store: RecordStore, name: string): RemoteRecord {
  const r = store.read<RemoteRecord>(REMOTE_TABLE, name);
  if (!r) throw new KeyholdError(RemoteErrors.NotFound, `No remote named ${name}: add it with \`keyhold remote add\`.`, 404);
  return r;
}

/**
 * The id a remote's sync records are stored under. Remotes added before ids existed keep their
 * name as id (their records were stored by name), so nothing they synced is lost.
 */
export function remoteKey(r: RemoteInfo): string {
  return r.id ?? r.name;
}

export function endpointOf(r: RemoteRecord, service: 'kms' | 'ecs' = 'kms'): RemoteEndpoint {
  const baseUrl = service === 'ecs' ? r.ecs_endpoint : r.endpoint;
  if (!baseUrl)
    throw new KeyholdError(
      RemoteErrors.Invalid,
      `Remote ${r.name} has no ${service} endpoint: set --${service === 'ecs' ? 'ecs-endpoint' : 'endpoint'} or --region.`,
      400,
    );
  return { baseUrl, access_key: r.access_key, secret_key: r.secret_key, project_id: r.project_id };
}
