// Two real Keyholds on loopback: A runs `keyhold serve`, B (a session in this process, so the
// proxy and B share no spawn cost) syncs through a fault proxy (test/helpers/fault-proxy.ts)
// that drops answers, cuts them off mid-body, holds them past the client's timeout, or answers
// 503 first. For each fault on a version write and on a secret creation: no duplicate on A,
// nothing lost, and the sync (or its rerun) converges. The CLI's exit codes are checked in
// remote-sync-scenarios.test.ts.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { accessKey, signedFetch, startServe, type Served } from '../helpers/serve.js';
import { initVault, newSession } from '../helpers/vault.js';

let a: string;
let b: Session;
let bDir: string;
let served: Served;
let proxy: FaultProxy;
let creds: { access: string; secret: string };

interface SyncOut {
  changes: { id: string; action: string; detail?: string }[];
  applied: boolean;
  complete: boolean;
}

beforeAll(async () => {
  a = initVault();
  creds = accessKey(a);
  served = await startServe(a);
  proxy = await startFaultProxy(served.url);
  ({ session: b, dir: bDir } = await newSession());
  await b.invoke('remoteAdd', { name: 'a', endpoint: proxy.url, project_id: served.project_id, access_key: creds.access, secret_key: creds.secret }, 'cli');
});
afterAll(async () => {
  await proxy.close();
  await served.stop();
  await b.settle();
  b.close();
  rmSync(bDir, { recursive: true, force: true });
});

const call = (service: string, op: string, input: Record<string, unknown>) => b.call(service, op, input, 'cli');
const sync = async (direction: 'pull' | 'push') => (await call('remote', 'sync', { name: 'a', service: 'csms', direction })) as SyncOut;
const actionOf = (r: SyncOut, id: string) => r.changes.find((c) => c.id === id)?.action;
/** Every version's value on A, oldest first, read straight from its server (not through the proxy). */
async function valuesOnA(name: string): Promise<string[]> {
  const base = `/v1/${served.project_id}/secrets/${name}/versions`;
  const list = (await signedFetch(served.url, 'GET', base, undefined, creds)).json as { version_metadatas: { id: string }[] };
  const out: string[] = [];
  for (const { id } of list.version_metadatas)
    out.push(((await signedFetch(served.url, 'GET', `${base}/${id}`, undefined, creds)).json as { version: { secret_string: string } }).version.secret_string);
  return out;
}
async function valuesOnB(name: string): Promise<string[]> {
  const list = (await call('csms', 'list-secret-versions', { secret_name: name })) as { version_metadatas: { id: string }[] };
  const out: string[] = [];
  for (const { id } of list.version_metadatas)
    out.push(
      ((await call('csms', 'show-secret-version', { secret_name: name, version_id: id })) as { version: { secret_string: string } }).version.secret_string,
    );
  return out;
}

const FAULTS: Fault[] = ['drop-answer', 'reset-mid-body', 'delay-answer', 'unavailable'];

describe('remote sync through a faulty network: a lost answer never makes a second version', () => {
  for (const fault of FAULTS) {
    it(`${fault} on the version write: no duplicate, no loss, converges`, async () => {
      const name = `v-${fault}`;
      await call('csms', 'create-secret', { name, secret_string: 'one' });
      expect(actionOf(await sync('push'), name)).toBe('add');
      await call('csms', 'create-secret-version', { secret_name: name, secret_string: 'two' });
      proxy.arm('POST', new RegExp(`/secrets/${name}/versions$`), fault);
      const pushed = await sync('push');
      // The write landed (or was refused before acting and retried): the push finds it and is complete.
      expect(pushed).toMatchObject({ complete: true });
      expect(actionOf(pushed, name)).toBe('update');
      proxy.clear();
      expect(await valuesOnA(name)).toEqual(['one', 'two']);
      const again = await sync('push');
      expect([again.complete, actionOf(again, name)]).toEqual([true, 'unchanged']);
      const pulled = await sync('pull');
      expect([pulled.complete, actionOf(pulled, name)]).toEqual([true, 'unchanged']);
      expect(await valuesOnB(name)).toEqual(['one', 'two']);
    });
  }

  for (const fault of ['drop-answer', 'reset-mid-body'] as const) {
    it(`${fault} on the secret creation: created once, its later versions follow`, async () => {
      const name = `c-${fault}`;
      await call('csms', 'create-secret', { name, secret_string: 'first' });
      await call('csms', 'create-secret-version', { secret_name: name, secret_string: 'second' });
      proxy.arm('POST', /\/secrets$/, fault);
      const pushed = await sync('push');
      proxy.clear();
      expect(pushed.complete).toBe(true);
      expect(actionOf(pushed, name)).toBe('add');
      expect(await valuesOnA(name)).toEqual(['first', 'second']);
      expect(actionOf(await sync('push'), name)).toBe('unchanged');
    });
  }

  it('a write refused without being forwarded (500 from the proxy) fails the secret; the rerun writes it once', async () => {
    const name = 'refused';
    await call('csms', 'create-secret', { name, secret_string: 'one' });
    expect(actionOf(await sync('push'), name)).toBe('add');
    await call('csms', 'create-secret-version', { secret_name: name, secret_string: 'two' });
    proxy.arm('POST', /\/secrets\/refused\/versions$/, 'fail');
    const failed = await sync('push');
    proxy.clear();
    expect(failed).toMatchObject({ applied: true, complete: false });
    expect(actionOf(failed, name)).toBe('failed');
    expect(await valuesOnA(name)).toEqual(['one']);
    const rerun = await sync('push');
    expect([rerun.complete, actionOf(rerun, name)]).toEqual([true, 'update']);
    expect(await valuesOnA(name)).toEqual(['one', 'two']);
  });

  it('kps push: a key pair whose creation answer was dropped is found on A, not reported as failed', async () => {
    await call('kps', 'create-keypair', { keypair: { name: 'lost-answer', algorithm: 'SSH_ED25519' } });
    proxy.arm('POST', /\/keypairs$/, 'drop-answer');
    const pushed = (await call('remote', 'sync', { name: 'a', service: 'kps', direction: 'push' })) as SyncOut;
    proxy.clear();
    expect(pushed.complete).toBe(true);
    expect(actionOf(pushed, 'lost-answer')).toBe('add');
    const onA = (await signedFetch(served.url, 'GET', `/v3/${served.project_id}/keypairs/lost-answer`, undefined, creds)).json as {
      keypair: { public_key: string };
    };
    const here = (await call('kps', 'list-keypair-detail', { keypair_name: 'lost-answer' })) as { keypair: { public_key: string } };
    expect(onA.keypair.public_key).toBe(here.keypair.public_key);
  });
});
