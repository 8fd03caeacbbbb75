/**
 * KPS sync: public keys move by name between this vault and a remote, additively. A name on
 * one side only is added to the other (pull: here; push: there); the same name with a different
 * public key is a conflict, reported and never overwritten; nothing is ever deleted. Private
 * keys never travel.
 */
import type { SyncChange } from '../../../../shared/operations/remote.js';
import { kpsHandlers } from '../../keypairs/service.js';
import type { KmsContext } from '../../kms/context.js';
import { OutcomeUnknown, remoteRequest } from '../http-client.js';
import { endpointOf, type RemoteRecord } from '../endpoint.js';
import type { RemoteSync, SyncOptions } from './phases.js';

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
    for (const item of page.keypairs ?? [])
      if (item.keypair?.name && item.keypair.public_key) out.push({ name: item.keypair.name, public_key: item.keypair.public_key });
    marker = page.page_info?.next_marker;
    if (!marker) break;
  }
  return out;
}

/** What a sync from `from` to `to` does: the change for every name on `from`, and the keys to add. */
function plan(from: PublicKeyEntry[], to: PublicKeyEntry[]): { changes: SyncChange[]; adds: PublicKeyEntry[] } {
  const target = new Map(to.map((k) => [k.name, k]));
  const changes: SyncChange[] = [];
  const adds: PublicKeyEntry[] = [];
  for (const k of from) {
    const there = target.get(k.name);
    if (there) {
      const same = sameKey(there.public_key, k.public_key);
      changes.push({
        service: 'kps',
        action: same ? 'unchanged' : 'conflict',
        id: k.name,
        ...(same ? {} : { detail: 'the same name holds a different public key on each side; neither was changed' }),
      });
      continue;
    }
    changes.push({ service: 'kps', action: 'add', id: k.name });
    adds.push(k);
  }
  return { changes, adds };
}

/**
 * Creates a key pair on the remote. Creating is not idempotent: after a lost answer the remote's
 * key pairs are read back, and the key pair found there under its name is the result; a name
 * holding another key is a failure (docs/sync.md, "Lost answers").
 */
async function createThere(remote: RemoteRecord, path: string, k: PublicKeyEntry, opts: SyncOptions): Promise<void> {
  try {
    await remoteRequest(
      endpointOf(remote),
      { method: 'POST', path, body: { keypair: { name: k.name, public_key: k.public_key } }, idempotent: false },
      opts.http,
    );
  } catch (e) {
    if (!(e instanceof OutcomeUnknown)) throw e;
    const there = (await remoteKeys(remote, path, opts)).find((r) => r.name === k.name);
    if (!there || !sameKey(there.public_key, k.public_key)) throw e;
  }
}

function remoteKeys(remote: RemoteRecord, path: string, opts: SyncOptions): Promise<PublicKeyEntry[]> {
  return pages(
    async (marker) =>
      (
        await remoteRequest(
          endpointOf(remote),
          { method: 'GET', path, query: [['limit', '1000'], ...(marker ? [['marker', marker] as [string, string]] : [])] },
          opts.http,
        )
      ).body as ListPage,
  );
}

async function localKeys(ctx: KmsContext): Promise<PublicKeyEntry[]> {
  return pages(async (marker) => (await kpsHandlers.listKeypairs(ctx, { limit: 1000, marker })) as ListPage);
}

/**
 * A pull's network phase reads the remote's public keys, and its commit compares them with the
 * key pairs here as they are then: a name created here meanwhile is `unchanged` or a `conflict`,
 * never overwritten. A push's network phase does all of it (it writes nothing here); its commit
 * only reports.
 */
export const kpsSync: RemoteSync<{ remote_keys: PublicKeyEntry[]; pushed: SyncChange[] | null }> = {
  async network(ctx, remote, opts) {
    const path = `/v3/${remote.project_id}/keypairs`;
    const remote_keys = await remoteKeys(remote, path, opts);
    if (opts.direction === 'pull') return { remote_keys, pushed: null };
    const { changes, adds } = plan(await localKeys(ctx), remote_keys);
    if (!opts.dryRun) for (const k of adds) await createThere(remote, path, k, opts);
    return { remote_keys, pushed: changes };
  },
  async commit(ctx, _remote, opts, { remote_keys, pushed }) {
    if (pushed) return pushed;
    const { changes, adds } = plan(remote_keys, await localKeys(ctx));
    if (opts.dryRun) return changes;
    for (const k of adds)
      await kpsHandlers.createKeypair(ctx, { keypair: { name: k.name, type: 'ssh', public_key: k.public_key, scope: 'user', algorithm: 'SSH_RSA_2048' } });
    return changes;
  },
};
