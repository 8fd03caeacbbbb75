// The sync scenarios of issue #20 as a user runs them: A (and later A2) run `keyhold serve`, B
// syncs with the `keyhold` CLI through a loopback fault proxy. Exit codes and output fields are
// the contract: a sync that leaves anything unsynced exits 1 with "complete": false.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { accessKey, signedFetch, startServe, type Served } from '../helpers/serve.js';
import { cliAsync, initVault, tempDir, type CliResult } from '../helpers/vault.js';

interface SyncOut {
  changes: { id: string; action: string; detail?: string }[];
  applied: boolean;
  complete: boolean;
}

let a: string;
let b: string;
let served: Served;
let proxy: FaultProxy;
let creds: { access: string; secret: string };
let skFile: string;

const run = (args: string[]) => cliAsync(b, args).done;
const sync = (direction: 'pull' | 'push', name = 'a') => run(['remote', 'sync', '--name', name, '--service', 'csms', '--direction', direction]);
const out = (r: CliResult) => r.json as SyncOut;
const change = (r: CliResult, id: string) => out(r).changes.find((c) => c.id === id);
const addRemote = (name: string, url: string, project: string) =>
  run(['remote', 'add', '--name', name, '--endpoint', url, '--project-id', project, '--access-key', creds.access, '--secret-key-file', skFile]);

/** A call straight to A's server (the user on A), not through the proxy. */
async function onA(method: string, path: string, body?: unknown, server: Served = served, c = creds): Promise<unknown> {
  const r = await signedFetch(server.url, method, `/v1/${server.project_id}${path}`, body, c);
  expect(r.status, JSON.stringify(r.json)).toBeLessThan(300);
  return r.json;
}
const latestOnA = async (name: string) =>
  ((await onA('GET', `/secrets/${name}/versions/latest`)) as { version: { secret_string: string } }).version.secret_string;
const countOnA = async (name: string) => ((await onA('GET', `/secrets/${name}/versions`)) as { version_metadatas: unknown[] }).version_metadatas.length;
const latestOnB = async (name: string) =>
  ((await run(['csms', 'show-secret-version', '--secret-name', name, '--version-id', 'latest'])).json as { version?: { secret_string: string } }).version
    ?.secret_string;

beforeAll(async () => {
  a = initVault();
  b = initVault();
  creds = accessKey(a);
  served = await startServe(a);
  proxy = await startFaultProxy(served.url);
  skFile = join(tempDir(), 'sk');
  writeFileSync(skFile, creds.secret);
  expect((await addRemote('a', proxy.url, served.project_id)).status).toBe(0);
});
afterAll(async () => {
  await proxy.close();
  await served.stop();
});

describe('remote sync scenarios (issue #20)', () => {
  it('both sides add a version: a labelled conflict, exit 1; resolved each way, history kept, then exit 0', async () => {
    for (const s of ['keep-remote', 'keep-local']) await onA('POST', '/secrets', { name: s, secret_string: 'base' });
    expect((await sync('pull')).status).toBe(0);
    for (const s of ['keep-remote', 'keep-local']) {
      expect((await run(['csms', 'create-secret-version', '--secret-name', s, '--secret-string', `${s} on B`])).status).toBe(0);
      await onA('POST', `/secrets/${s}/versions`, { secret_string: `${s} on A` });
      await onA('POST', `/secrets/${s}/versions`, { secret_string: `${s} on A, again` });
    }
    const conflicted = await sync('pull');
    expect(conflicted.status).toBe(1);
    expect(out(conflicted)).toMatchObject({ applied: true, complete: false });
    expect(change(conflicted, 'keep-remote')?.action).toBe('conflict');
    expect(change(conflicted, 'keep-remote')?.detail).toMatch(/local: v2 \(\d{4}-\d\d-\d\dT[^,]+, sha [0-9a-f]{8}\); remote: v2 \([^)]+\), v3 \(/);

    const resolved = await run(['remote', 'resolve', '--name', 'a', '--service', 'csms', '--secret-name', 'keep-remote', '--keep', 'remote']);
    expect(resolved.json).toEqual({ remote: 'a', service: 'csms', secret_name: 'keep-remote', keep: 'remote', applied_by: 'pull' });
    expect((await run(['remote', 'resolve', '--name', 'a', '--service', 'csms', '--secret-name', 'keep-local', '--keep', 'local'])).status).toBe(0);

    const pulled = await sync('pull');
    expect(change(pulled, 'keep-remote')?.action).toBe('update');
    expect(change(pulled, 'keep-local')?.action).toBe('unchanged');
    expect(await latestOnB('keep-remote')).toBe('keep-remote on A, again');
    const pushed = await sync('push');
    expect(pushed.status, pushed.stdout).toBe(0);
    expect(out(pushed).complete).toBe(true);
    expect(change(pushed, 'keep-local')?.action).toBe('update');
    expect(await latestOnA('keep-local')).toBe('keep-local on B');
    // Nothing deleted: A keeps its own two versions, and B's value came as a fourth.
    expect(await countOnA('keep-local')).toBe(4);
    const after = await sync('pull');
    expect([after.status, out(after).complete]).toEqual([0, true]);
    expect(
      out(after)
        .changes.filter((c) => c.id.startsWith('keep-'))
        .map((c) => c.action),
    ).toEqual(['unchanged', 'unchanged']);
  });

  it('a stage rollback travels both ways', async () => {
    await onA('POST', '/secrets', { name: 'rolled', secret_string: 'good' });
    await onA('POST', '/secrets/rolled/versions', { secret_string: 'bad' });
    expect((await sync('pull')).status).toBe(0);
    expect(await latestOnB('rolled')).toBe('bad');
    await onA('PUT', '/secrets/rolled/stages/SYSCURRENT', { version_id: 'v1' });
    await onA('PUT', '/secrets/rolled/stages/GREEN', { version_id: 'v2' });
    const pulled = await sync('pull');
    expect(change(pulled, 'rolled')?.action).toBe('stage-move');
    expect(await latestOnB('rolled')).toBe('good');
    expect(
      ((await run(['csms', 'show-secret-stage', '--secret-name', 'rolled', '--stage-name', 'GREEN'])).json as { stage: { version_id: string } }).stage
        .version_id,
    ).toBe('v2');
    // And back: B rolls forward, the push moves A.
    expect((await run(['csms', 'update-secret-stage', '--secret-name', 'rolled', '--stage-name', 'SYSCURRENT', '--version-id', 'v2'])).status).toBe(0);
    const pushed = await sync('push');
    expect(change(pushed, 'rolled')?.action).toBe('stage-move');
    expect(await latestOnA('rolled')).toBe('bad');
    expect(await countOnA('rolled')).toBe(2);
  });

  it('a secret deleted on one side offers the choice; keeping the deletion schedules it (restorable), keeping the secret recreates it', async () => {
    for (const s of ['del-keep', 'del-drop']) await onA('POST', '/secrets', { name: s, secret_string: `${s} value` });
    expect((await sync('pull')).status).toBe(0);
    for (const s of ['del-keep', 'del-drop']) await onA('DELETE', `/secrets/${s}`);
    const offered = await sync('pull');
    expect(offered.status).toBe(1);
    expect(change(offered, 'del-keep')).toMatchObject({
      action: 'conflict',
      detail: expect.stringContaining('deleted on the remote side since the last sync'),
    });
    await run(['remote', 'resolve', '--name', 'a', '--service', 'csms', '--secret-name', 'del-drop', '--keep', 'remote']);
    await run(['remote', 'resolve', '--name', 'a', '--service', 'csms', '--secret-name', 'del-keep', '--keep', 'local']);
    const pulled = await sync('pull');
    expect(change(pulled, 'del-drop')?.action).toBe('remove');
    expect(((await run(['csms', 'show-secret', '--secret-name', 'del-drop'])).json as { secret: { state: string } }).secret.state).toBe('PENDING_DELETE');
    const pushed = await sync('push');
    expect(change(pushed, 'del-keep')?.action).toBe('add');
    expect(await latestOnA('del-keep')).toBe('del-keep value');
    expect((await run(['csms', 'restore-secret', '--secret-name', 'del-drop'])).status).toBe(0);
    expect(await latestOnB('del-drop')).toBe('del-drop value');
  });

  it('an interrupted push lists what was done, what failed and what was not tried, exits 1; the rerun continues', async () => {
    const names = ['int-1', 'int-2', 'int-3', 'int-4', 'int-5'];
    expect((await sync('push')).status).toBe(0);
    for (const n of names) expect((await run(['csms', 'create-secret', '--name', n, '--secret-string', n])).status).toBe(0);
    // The third creation is refused before it reaches A (as by a server going down).
    proxy.arm('POST', /\/secrets$/, 'fail', { skip: 2, times: 10 });
    const first = await sync('push');
    proxy.clear();
    expect(first.status).toBe(1);
    expect(out(first)).toMatchObject({ applied: true, complete: false });
    expect(names.map((n) => change(first, n)?.action)).toEqual(['add', 'add', 'failed', 'untried', 'untried']);
    const rerun = await sync('push');
    expect(rerun.status).toBe(0);
    expect(names.map((n) => change(rerun, n)?.action)).toEqual(['unchanged', 'unchanged', 'add', 'add', 'add']);
    for (const n of names) expect(await countOnA(n)).toBe(1);
  });

  it('a remote removed and added again under its name starts with no bases (and remove says how many it forgot)', async () => {
    // B and A agree on "moved" now; then the remote "a" is removed and re-added pointing at another Keyhold.
    await onA('POST', '/secrets', { name: 'moved', secret_string: 'on A' });
    expect((await signedFetch(served.url, 'POST', `/v1.0/${served.project_id}/kms/create-key`, { key_alias: 'mirrored' }, creds)).status).toBe(200);
    const pulled = await sync('pull');
    expect(pulled.status, pulled.stderr + pulled.stdout).toBe(0);
    const mirrored = await run(['remote', 'sync', '--name', 'a', '--service', 'kms']);
    expect(mirrored.status, mirrored.stderr).toBe(0);
    const removed = await run(['remote', 'remove', '--name', 'a']);
    const forgotten = (removed.json as { forgotten: { csms_bases: number; kms_mirror: number } }).forgotten;
    expect(forgotten.csms_bases).toBeGreaterThanOrEqual(5);
    expect(forgotten.kms_mirror).toBeGreaterThanOrEqual(1);
    expect((await run(['remote', 'list-mirrored-keys'])).json).toEqual({ keys: [] });

    const a2 = initVault();
    const creds2 = accessKey(a2);
    const served2 = await startServe(a2);
    try {
      await onA('POST', '/secrets', { name: 'moved', secret_string: 'on A2, another value' }, served2, creds2);
      const sk2 = join(tempDir(), 'sk2');
      writeFileSync(sk2, creds2.secret);
      expect(
        (
          await run([
            'remote',
            'add',
            '--name',
            'a',
            '--endpoint',
            served2.url,
            '--project-id',
            served2.project_id,
            '--access-key',
            creds2.access,
            '--secret-key-file',
            sk2,
          ])
        ).status,
      ).toBe(0);
      const r = await sync('pull');
      // Not "unchanged": the old base of "moved" is gone, so two different histories are a conflict.
      expect(change(r, 'moved')?.action).toBe('conflict');
      expect(r.status).toBe(1);
      expect(await latestOnB('moved')).toBe('on A');
    } finally {
      await served2.stop();
    }
  });
});
