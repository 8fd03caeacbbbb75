/**
 * KPS sync: public keys move by name between this vault and a remote, additively. A name on
 * one side only is added to the other (pull: here; push: there); the same name with a different
 * public key is a conflict, reported and never overwritten; nothing is ever deleted. Private
 * keys never travel.
 */
import type { SyncChange } from '../../../../shared/operations/remote.js';
import { kpsHandlers } from '../../keypairs/service.js';
import type { KmsContext } from '../../kms/context.js';
import { remoteRequest, type HttpDeps } from '../http-client.js';
import { endpointOf, type RemoteRecord } from '../remotes.js';

interface PublicKeyEntry {
  name: string;
  public_key: string;
}

interface ListPage {
  keypairs?: { keypair?: PublicKeyEntry }[];
  page_info?: { next_marker?: string };
}

/** Compares keys by algorithm and key blob: comments and whitespace do not make a conflict. */
function sameKey(a: string, b: string): boolean {
  const core = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');
  return core(a) === core(b);
}

async function pages(fetchPage: (marker: string | undefined) => Promise<ListPage>): Promise<PublicKeyEntry[]> {
  const out: PublicKeyEntry[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await fetchPage(marker);
    for (const item of page.keypairs ?? []) if (item.keypair?.name && item.keypair.public_key) out.push({ name: item.keypair.name, public_key: item.keypair.public_key });
    marker = page.page_info?.next_marker;
    if (!marker) break;
  }
  return out;
}

export async function syncKps(ctx: KmsContext, remote: RemoteRecord, opts: { direction: 'pull' | 'push'; dryRun: boolean; http?: HttpDeps }): Promise<SyncChange[]> {
  const path = `/v3/${remote.project_id}/keypairs`;
  const remoteKeys = await pages(async (marker) => (await remoteRequest(endpointOf(remote), { method: 'GET', path, query: [['limit', '1000'], ...(marker ? [['marker', marker] as [string, string]] : [])] }, opts.http)).body as ListPage);
  const localKeys = await pages(async (marker) => (await kpsHandlers.listKeypairs(ctx, { limit: 1000, marker })) as ListPage);
  const [from, to] = opts.direction === 'pull' ? [remoteKeys, localKeys] : [localKeys, remoteKeys];
  const target = new Map(to.map((k) => [k.name, k]));
  const changes: SyncChange[] = [];
  for (const k of from) {
    const there = target.get(k.name);
    if (there) {
      const same = sameKey(there.public_key, k.public_key);
      changes.push({ service: 'kps', action: same ? 'unchanged' : 'conflict', id: k.name, ...(same ? {} : { detail: 'the same name holds a different public key on each side; neither was changed' }) });
      continue;
    }
    changes.push({ service: 'kps', action: 'add', id: k.name });
    if (opts.dryRun) continue;
    const body = { keypair: { name: k.name, type: 'ssh' as const, public_key: k.public_key, scope: 'user' as const, algorithm: 'SSH_RSA_2048' as const } };
    if (opts.direction === 'pull') await kpsHandlers.createKeypair(ctx, body);
    else await remoteRequest(endpointOf(remote), { method: 'POST', path, body: { keypair: { name: k.name, public_key: k.public_key } } }, opts.http);
  }
  return changes;
}
