// `remote sync` asks the remote before its write transaction (network-first; docs/sync.md): while
// a remote holds its answer, other writers of the same vault go on, and what they change in the
// meantime is found by the sync's commit phase, never overwritten. The remote is a loopback
// stand-in that holds a chosen request until the test releases it.
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utils } from 'ssh2';
import type { Session } from '../../electron/core/api/index.js';
import { settlesWithin } from '../helpers/hold.js';
import { startStubRemote, type StubRemote } from '../helpers/remote-stub.js';
import { newSession } from '../helpers/vault.js';

interface SyncResult {
  changes: { service: string; action: string; id: string; detail?: string }[];
  applied: boolean;
}

/** Long enough for a writer that does not wait for the sync; far shorter than the client's 6 s try. */
const PROMPTLY_MS = 2000;

let remote: StubRemote;
let session: Session;
let dir: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields it checks
const call = (service: string, op: string, input: Record<string, unknown> = {}) => session.call(service, op, input, 'cli') as Promise<any>;
const sync = (service: string, direction: 'pull' | 'push' = 'pull') => call('remote', 'sync', { name: 'peer', service, direction }) as Promise<SyncResult>;
const actionOf = (r: SyncResult, id: string) => r.changes.find((c) => c.id === id)?.action;
const latest = async (name: string) =>
  ((await call('csms', 'show-secret-version', { secret_name: name, version_id: 'latest' })) as { version: { secret_string: string } }).version.secret_string;
const versionCount = async (name: string) =>
  ((await call('csms', 'list-secret-versions', { secret_name: name })) as { version_metadatas: unknown[] }).version_metadatas.length;
const publicKey = () => utils.generateKeyPairSync('ed25519').public;

beforeEach(async () => {
  remote = await startStubRemote();
  ({ session, dir } = await newSession());
  await call('remote', 'add', { name: 'peer', endpoint: remote.url, project_id: 'p', access_key: 'AK', secret_key: 'SK' });
});
afterEach(async () => {
  await remote.close();
  await session.settle();
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('remote sync holds no write lock while the remote is slow', () => {
  const cases: { service: string; direction: 'pull' | 'push'; held: [string, string]; seed: () => Promise<void>; added: string }[] = [
    {
      service: 'kms',
      direction: 'pull',
      held: ['POST', '/v1.0/p/kms/list-keys'],
      seed: async () =>
        void remote.keys.push({
          key_id: '0b6f3c2e-4a1d-4c9e-8f7a-2d5e6b7c8d9e',
          key_alias: 'far',
          key_spec: 'AES_256',
          key_usage: 'ENCRYPT_DECRYPT',
          key_state: '2',
        }),
      added: '0b6f3c2e-4a1d-4c9e-8f7a-2d5e6b7c8d9e',
    },
    {
      service: 'kps',
      direction: 'pull',
      held: ['GET', '/v3/p/keypairs'],
      seed: async () => void remote.keypairs.set('far-pair', publicKey()),
      added: 'far-pair',
    },
    {
      service: 'csms',
      direction: 'pull',
      held: ['GET', '/v1/p/secrets/db/versions/v1'],
      seed: async () => void remote.secrets.set('db', ['one']),
      added: 'db',
    },
    {
      service: 'csms',
      direction: 'push',
      held: ['POST', '/v1/p/secrets'],
      seed: () => call('csms', 'create-secret', { name: 'near', secret_string: 'here' }),
      added: 'near',
    },
  ];
  for (const c of cases) {
    it(`${c.service} ${c.direction}: kms create-key on the same vault completes while the remote holds its answer`, async () => {
      await c.seed();
      const hold = remote.holdNext(...c.held);
      const syncing = sync(c.service, c.direction);
      const created = await hold.during(async () => {
        const creating = call('kms', 'create-key', { key_alias: 'meanwhile' });
        expect(await settlesWithin(creating, PROMPTLY_MS)).toBe(true);
        return creating;
      });
      expect(created).toMatchObject({ key_info: { key_id: expect.any(String) } });
      const r = await syncing;
      expect(r.applied).toBe(true);
      expect(actionOf(r, c.added)).toBe('add');
      expect(await call('audit', 'verify')).toMatchObject({ valid: true });
    });
  }
});

describe('the commit phase finds what changed while the remote was asked', () => {
  it('csms pull: a version added here meanwhile makes the secret a conflict; neither side is overwritten', async () => {
    remote.secrets.set('db', ['one']);
    expect(actionOf(await sync('csms'), 'db')).toBe('add');
    remote.secrets.get('db')?.push('two');
    const hold = remote.holdNext('GET', '/v1/p/secrets/db/versions/v2');
    const syncing = sync('csms');
    await hold.during(async () =>
      expect(await settlesWithin(call('csms', 'create-secret-version', { secret_name: 'db', secret_string: 'here' }), PROMPTLY_MS)).toBe(true),
    );
    const r = await syncing;
    expect(actionOf(r, 'db')).toBe('conflict');
    expect(await latest('db')).toBe('here');
    expect(await versionCount('db')).toBe(2);
    expect(remote.secrets.get('db')).toEqual(['one', 'two']);
    // The base still ends at v1 on both sides: the next pull reports the same conflict.
    expect(actionOf(await sync('csms'), 'db')).toBe('conflict');
  });

  it('csms pull: a secret created here meanwhile is compared, not overwritten', async () => {
    remote.secrets.set('fresh', ['from the remote']);
    const hold = remote.holdNext('GET', '/v1/p/secrets/fresh/versions/v1');
    const syncing = sync('csms');
    await hold.during(async () =>
      expect(await settlesWithin(call('csms', 'create-secret', { name: 'fresh', secret_string: 'made here' }), PROMPTLY_MS)).toBe(true),
    );
    expect(actionOf(await syncing, 'fresh')).toBe('conflict');
    expect(await latest('fresh')).toBe('made here');
    expect(await versionCount('fresh')).toBe(1);
  });

  it('csms: two pulls at once add each version once; the later commit compares with the base the first stored', async () => {
    remote.secrets.set('db', ['one']);
    const hold = remote.holdNext('GET', '/v1/p/secrets/db/versions/v1');
    const first = sync('csms');
    const second = await hold.during(async () => {
      const syncing = sync('csms');
      expect(await settlesWithin(syncing, PROMPTLY_MS)).toBe(true);
      return syncing;
    });
    expect(actionOf(second, 'db')).toBe('add');
    expect(actionOf(await first, 'db')).toBe('unchanged');
    expect(await versionCount('db')).toBe(1);
  });

  it('kps pull: a key pair created here meanwhile under the same name is a conflict and stays as it is', async () => {
    remote.keypairs.set('shared', publicKey());
    const hold = remote.holdNext('GET', '/v3/p/keypairs');
    const syncing = sync('kps');
    await hold.during(async () =>
      expect(await settlesWithin(call('kps', 'create-keypair', { keypair: { name: 'shared', algorithm: 'SSH_ED25519' } }), PROMPTLY_MS)).toBe(true),
    );
    const mine = ((await call('kps', 'list-keypair-detail', { keypair_name: 'shared' })) as { keypair: { public_key: string } }).keypair.public_key;
    expect(actionOf(await syncing, 'shared')).toBe('conflict');
    expect(((await call('kps', 'list-keypair-detail', { keypair_name: 'shared' })) as { keypair: { public_key: string } }).keypair.public_key).toBe(mine);
  });

  it('kms: a newer sync of the same remote that committed meanwhile is not replaced by the older list (VAULT.0506)', async () => {
    remote.keys.push({ key_id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', key_alias: 'old', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', key_state: '2' });
    const hold = remote.holdNext('POST', '/v1.0/p/kms/list-keys');
    const older = sync('kms');
    await hold.during(async () => {
      await new Promise((r) => setTimeout(r, 5));
      remote.keys[0]!.key_state = '3';
      const newer = sync('kms');
      expect(await settlesWithin(newer, PROMPTLY_MS)).toBe(true);
      expect(actionOf(await newer, '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f')).toBe('add');
    });
    await expect(older).rejects.toMatchObject({ code: 'VAULT.0506', status: 409 });
    expect(((await call('remote', 'list-mirrored-keys', { name: 'peer' })) as { keys: { key_state: string }[] }).keys).toEqual([
      expect.objectContaining({ key_state: '3' }),
    ]);
    const events = (await call('audit', 'list-events')) as { events: { operation: string; outcome: string }[] };
    expect(events.events.some((e) => e.operation === 'remote sync' && e.outcome === 'VAULT.0506')).toBe(true);
  });

  it('a remote removed and added again with other credentials meanwhile: nothing is applied (VAULT.0506)', async () => {
    remote.secrets.set('db', ['one']);
    const hold = remote.holdNext('GET', '/v1/p/secrets/db/versions/v1');
    const syncing = sync('csms');
    await hold.during(async () => {
      const replaced = call('remote', 'remove', { name: 'peer' }).then(() =>
        call('remote', 'add', { name: 'peer', endpoint: remote.url, project_id: 'p', access_key: 'OTHER', secret_key: 'SK2' }),
      );
      expect(await settlesWithin(replaced, PROMPTLY_MS)).toBe(true);
      await replaced;
    });
    await expect(syncing).rejects.toMatchObject({ code: 'VAULT.0506' });
    await expect(call('csms', 'show-secret', { secret_name: 'db' })).rejects.toMatchObject({ status: 404 });
  });

  it('csms: a second push to the same remote while one runs is refused (VAULT.0507), so no version is written twice there', async () => {
    await call('csms', 'create-secret', { name: 'db', secret_string: 'one' });
    expect(actionOf(await sync('csms', 'push'), 'db')).toBe('add');
    await call('csms', 'create-secret-version', { secret_name: 'db', secret_string: 'two' });
    const hold = remote.holdNext('POST', '/v1/p/secrets/db/versions');
    const first = sync('csms', 'push');
    await hold.during(async () => {
      await expect(sync('csms', 'push')).rejects.toMatchObject({
        code: 'VAULT.0507',
        message: expect.stringMatching(/push to remote peer \(csms\).*in this process/),
      });
      // Other work goes on: a pull needs no claim.
      expect(actionOf(await sync('csms'), 'db')).toBe('unchanged');
    });
    expect(actionOf(await first, 'db')).toBe('update');
    expect(remote.secrets.get('db')).toEqual(['one', 'two']);
    // The claim ended with the push: the next one runs.
    expect(actionOf(await sync('csms', 'push'), 'db')).toBe('unchanged');
    expect(await versionCount('db')).toBe(2);
  });

  it('a push that fails releases its claim: the same push again fails for its own reason, not VAULT.0507', async () => {
    const push = () => call('remote', 'sync', { name: 'ghost', service: 'csms', direction: 'push' });
    await expect(push()).rejects.toMatchObject({ code: 'REMOTE.0004' });
    await expect(push()).rejects.toMatchObject({ code: 'REMOTE.0004' });
  });

  it('a remote removed meanwhile: nothing is applied (REMOTE.0004)', async () => {
    remote.keypairs.set('far-pair', publicKey());
    const hold = remote.holdNext('GET', '/v3/p/keypairs');
    const syncing = sync('kps');
    await hold.during(async () => expect(await settlesWithin(call('remote', 'remove', { name: 'peer' }), PROMPTLY_MS)).toBe(true));
    await expect(syncing).rejects.toMatchObject({ code: 'REMOTE.0004' });
    await expect(call('kps', 'list-keypair-detail', { keypair_name: 'far-pair' })).rejects.toMatchObject({ status: 404 });
  });

  it('csms dry run: a secret created here meanwhile is planned against what is here at commit (a conflict), and nothing is written', async () => {
    remote.secrets.set('later', ['from the remote']);
    // Held at the next secret: 'later' has been read by then (missing here, so every value read).
    remote.secrets.set('next', ['x']);
    const hold = remote.holdNext('GET', '/v1/p/secrets/next/versions');
    const syncing = call('remote', 'sync', { name: 'peer', service: 'csms', dry_run: true }) as Promise<SyncResult & { complete: boolean }>;
    await hold.during(async () =>
      expect(await settlesWithin(call('csms', 'create-secret', { name: 'later', secret_string: 'made here' }), PROMPTLY_MS)).toBe(true),
    );
    const r = await syncing;
    expect(actionOf(r, 'later')).toBe('conflict');
    expect(r).toMatchObject({ applied: false, complete: false });
    expect(await latest('later')).toBe('made here');
    expect(await versionCount('later')).toBe(1);
  });
});

describe('remote sync --service csms --direction push, interrupted while reading', () => {
  it("csms push: a failure reading the remote after an earlier secret was pushed keeps that secret's base, so a rerun continues", async () => {
    await call('csms', 'create-secret', { name: 'a', secret_string: 'a1' });
    await call('csms', 'create-secret', { name: 'b', secret_string: 'b1' });
    expect((await sync('csms', 'push')).changes.map((c) => c.action)).toEqual(['add', 'add']);
    await call('csms', 'create-secret-version', { secret_name: 'a', secret_string: 'a2' });
    await call('csms', 'create-secret-version', { secret_name: 'b', secret_string: 'b2' });
    remote.failing.add('GET /v1/p/secrets/b');
    const failed = await sync('csms', 'push');
    expect(failed.changes.map((c) => [c.id, c.action])).toEqual([
      ['a', 'update'],
      ['b', 'failed'],
    ]);
    expect(failed).toMatchObject({ applied: true, complete: false });
    remote.failing.clear();
    const rerun = await sync('csms', 'push');
    expect(rerun.changes.map((c) => [c.id, c.action])).toEqual([
      ['a', 'unchanged'],
      ['b', 'update'],
    ]);
    expect(remote.secrets.get('a')).toEqual(['a1', 'a2']);
    expect(remote.secrets.get('b')).toEqual(['b1', 'b2']);
  });
});
