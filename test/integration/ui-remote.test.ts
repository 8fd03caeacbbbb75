// Remotes through the UI backend as web mode calls them: another Keyhold (`keyhold serve`)
// added with an access key, tested, and a KMS sync previewed then applied.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchUiCall } from '../../electron/ui/bridge.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { accessKey, startServe, type Served } from '../helpers/serve.js';
import { cli, initVault, tempDir } from '../helpers/vault.js';

let served: Served;
let ws: Workspace;
let creds: { access: string; secret: string };

beforeAll(async () => {
  const remoteVault = initVault();
  cli(remoteVault, ['kms', 'create-key', '--key-alias', 'remote-key']);
  creds = accessKey(remoteVault);
  served = await startServe(remoteVault);
  ws = new Workspace(join(tempDir(), 'vault.db'), { transport: 'http', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
  await ws.create('local password');
});
afterAll(async () => {
  await ws.lock('user');
  await served.stop();
});

describe('remotes from the UI', () => {
  it('adds another Keyhold, tests it, previews and applies a KMS mirror', async () => {
    const added = (await dispatchUiCall(
      ws,
      'remoteAdd',
      { name: 'peer', endpoint: served.url, project_id: served.project_id, access_key: creds.access, secret_key: creds.secret },
      'http',
    )) as { remote: Record<string, unknown> };
    expect(JSON.stringify(added)).not.toContain(creds.secret);
    expect(await dispatchUiCall(ws, 'remoteTest', { name: 'peer' }, 'http')).toMatchObject({ reachable: true, keys_visible: expect.any(Number) });
    const preview = (await dispatchUiCall(ws, 'remoteSync', { name: 'peer', service: 'kms', direction: 'pull', dry_run: true }, 'http')) as {
      changes: { action: string; id: string }[];
      applied: boolean;
    };
    expect(preview.applied).toBe(false);
    expect(preview.changes.some((c) => c.action === 'add')).toBe(true);
    expect(((await dispatchUiCall(ws, 'remoteListMirroredKeys', {}, 'http')) as { keys: unknown[] }).keys).toEqual([]);
    const applied = (await dispatchUiCall(ws, 'remoteSync', { name: 'peer', service: 'kms', direction: 'pull', dry_run: false }, 'http')) as {
      applied: boolean;
    };
    expect(applied.applied).toBe(true);
    const mirrored = (await dispatchUiCall(ws, 'remoteListMirroredKeys', {}, 'http')) as { keys: { key_alias: string }[] };
    expect(mirrored.keys.map((k) => k.key_alias)).toContain('remote-key');
  });
});
