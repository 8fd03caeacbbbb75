// Two real Keyholds on loopback, A serving and B syncing through a fault proxy (test/helpers/
// fault-proxy.ts) that drops answers, cuts them off mid-body, holds them past the client's
// timeout, or answers 503 first. For each fault on a version write and on a secret creation:
// no duplicate on A, nothing lost, and the sync (or its rerun) converges.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { accessKey, startServe, type Served } from '../helpers/serve.js';
import { cli, cliAsync, initVault, tempDir, type CliResult } from '../helpers/vault.js';

let a: string;
let b: string;
let served: Served;
let proxy: FaultProxy;

interface SyncOut {
  changes: { id: string; action: string; detail?: string }[];
  applied: boolean;
  complete: boolean;
}

beforeAll(async () => {
  a = initVault();
  b = initVault();
  const creds = accessKey(a);
  served = await startServe(a);
  proxy = await startFaultProxy(served.url);
  const sk = join(tempDir(), 'sk');
  writeFileSync(sk, creds.secret);
  expect(cli(b, ['remote', 'add', '--name', 'a', '--endpoint', proxy.url, '--project-id', served.project_id, '--access-key', creds.access, '--secret-key-file', sk]).status).toBe(0);
});
afterAll(async () => {
  await proxy.close();
  await served.stop();
});

const sync = (direction: 'pull' | 'push') => cliAsync(b, ['remote', 'sync', '--name', 'a', '--service', 'csms', '--direction', direction]).done;
const actionOf = (r: CliResult, id: string) => (r.json as SyncOut).changes.find((c) => c.id === id)?.action;
const valuesOn = (vault: string, name: string): string[] => {
  const ids = (cli(vault, ['csms', 'list-secret-versions', '--secret-name', name]).json as { version_metadatas: { id: string }[] }).version_metadatas.map((v) => v.id);
  return ids.map((id) => (cli(vault, ['csms', 'show-secret-version', '--secret-name', name, '--version-id', id]).json as { version: { secret_string: string } }).version.secret_string);
};

const FAULTS: Fault[] = ['drop-answer', 'reset-mid-body', 'delay-answer', 'unavailable'];

describe('remote sync through a faulty network: a lost answer never makes a second version', () => {
  for (const fault of FAULTS) {
    it(`${fault} on the version write: no duplicate, no loss, converges`, async () => {
      const name = `v-${fault}`;
      expect(cli(b, ['csms', 'create-secret', '--name', name, '--secret-string', 'one']).status).toBe(0);
      expect(actionOf(await sync('push'), name)).toBe('add');
      expect(cli(b, ['csms', 'create-secret-version', '--secret-name', name, '--secret-string', 'two']).status).toBe(0);
      proxy.arm('POST', new RegExp(`/secrets/${name}/versions$`), fault);
      const pushed = await sync('push');
      // The write landed (or was refused before acting and retried): the push finds it and is complete.
      expect(pushed.status, pushed.stderr).toBe(0);
      expect(pushed.json).toMatchObject({ complete: true });
      expect(actionOf(pushed, name)).toBe('update');
      proxy.clear();
      expect(valuesOn(a, name)).toEqual(['one', 'two']);
      const again = await sync('push');
      expect([again.status, actionOf(again, name)]).toEqual([0, 'unchanged']);
      const pulled = await sync('pull');
      expect([pulled.status, actionOf(pulled, name)]).toEqual([0, 'unchanged']);
      expect(valuesOn(b, name)).toEqual(['one', 'two']);
    });
  }

  for (const fault of ['drop-answer', 'reset-mid-body'] as const) {
    it(`${fault} on the secret creation: created once, its later versions follow`, async () => {
      const name = `c-${fault}`;
      expect(cli(b, ['csms', 'create-secret', '--name', name, '--secret-string', 'first']).status).toBe(0);
      expect(cli(b, ['csms', 'create-secret-version', '--secret-name', name, '--secret-string', 'second']).status).toBe(0);
      proxy.arm('POST', /\/secrets$/, fault);
      const pushed = await sync('push');
      proxy.clear();
      expect(pushed.status, pushed.stderr).toBe(0);
      expect(actionOf(pushed, name)).toBe('add');
      expect(valuesOn(a, name)).toEqual(['first', 'second']);
      expect(actionOf(await sync('push'), name)).toBe('unchanged');
    });
  }

  it('a write refused without being forwarded (500 from the proxy) fails the secret; the rerun writes it once', async () => {
    const name = 'refused';
    expect(cli(b, ['csms', 'create-secret', '--name', name, '--secret-string', 'one']).status).toBe(0);
    expect(actionOf(await sync('push'), name)).toBe('add');
    expect(cli(b, ['csms', 'create-secret-version', '--secret-name', name, '--secret-string', 'two']).status).toBe(0);
    proxy.arm('POST', /\/secrets\/refused\/versions$/, 'fail');
    const failed = await sync('push');
    proxy.clear();
    expect(failed.status).toBe(1);
    expect(failed.json).toMatchObject({ applied: true, complete: false });
    expect(actionOf(failed, name)).toBe('failed');
    expect(valuesOn(a, name)).toEqual(['one']);
    const rerun = await sync('push');
    expect([rerun.status, actionOf(rerun, name)]).toEqual([0, 'update']);
    expect(valuesOn(a, name)).toEqual(['one', 'two']);
  });
});
