// `servers pin-host-key` reads the host key before its write transaction (network-first; see
// docs/binding.md §1): while the SSH host is slow, other writers of the vault go on, and the
// commit re-reads the server record and checks what changed meanwhile. The host is an
// in-process ssh2 server behind a proxy that holds the connection until the test releases it.
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { settlesWithin } from '../helpers/hold.js';
import { holdingProxy, startSshHost, type HoldingProxy, type SshHost } from '../helpers/ssh-host.js';
import { newSession } from '../helpers/vault.js';

interface Server {
  id: string;
  port: number;
  notes: string;
  host_key_fingerprint: string | null;
}

const PROMPTLY_MS = 2000;

let host: SshHost;
let proxy: HoldingProxy;
let session: Session;
let dir: string;
let server: Server;

const call = (service: string, op: string, input: Record<string, unknown> = {}) => session.call(service, op, input, 'cli');
const pin = (input: Record<string, unknown> = {}) => call('servers', 'pin-host-key', { id: server.id, ...input }) as Promise<{ server: Server }>;
const shown = async () => ((await call('servers', 'show', { id: server.id })) as { server: Server }).server;

/** Starts a pin held at the SSH connection, runs `meanwhile` (which must not wait for the pin), releases, and returns the pin's outcome. */
async function pinWhile(meanwhile: () => Promise<unknown>, input: Record<string, unknown> = {}): Promise<{ server: Server }> {
  const hold = proxy.holdNext();
  const pinning = pin(input);
  pinning.catch(() => undefined);
  await hold.during(async () => {
    const done = meanwhile();
    expect(await settlesWithin(done, PROMPTLY_MS)).toBe(true);
    await done;
  });
  return pinning;
}

beforeAll(async () => {
  host = await startSshHost();
  proxy = await holdingProxy(host.port);
});
afterAll(async () => {
  await proxy.close();
  await host.close();
});
beforeEach(async () => {
  ({ session, dir } = await newSession());
  server = ((await call('servers', 'add', { name: 'slow', host: '127.0.0.1', port: proxy.port, user: 'u' })) as { server: Server }).server;
});
afterEach(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('servers pin-host-key holds no write lock while the SSH host is slow', () => {
  it('kms create-key on the same vault completes while the host key is being read; then the key is pinned', async () => {
    const { server: pinned } = await pinWhile(() => call('kms', 'create-key', { key_alias: 'meanwhile' }));
    expect(pinned.host_key_fingerprint).toBe(host.fingerprint);
    expect((await shown()).host_key_fingerprint).toBe(host.fingerprint);
    expect(await call('audit', 'verify')).toMatchObject({ valid: true });
  });
});

describe('the commit phase re-reads the server', () => {
  it('a server moved to another port meanwhile is not pinned (VAULT.0506)', async () => {
    await expect(pinWhile(() => call('servers', 'update', { id: server.id, port: 2222 }))).rejects.toMatchObject({ code: 'VAULT.0506', status: 409 });
    expect(await shown()).toMatchObject({ port: 2222, host_key_fingerprint: null });
  });

  it('a note changed meanwhile is kept, and the key pinned', async () => {
    await pinWhile(() => call('servers', 'update', { id: server.id, notes: 'rack 4' }));
    expect(await shown()).toMatchObject({ notes: 'rack 4', host_key_fingerprint: host.fingerprint });
  });

  it('a different key pinned meanwhile is what the key read is compared with (SERVERS.0007 without --accept-new)', async () => {
    // Another pin, written the way the commit of one would be.
    const pinOther = () =>
      session.vault.write(
        (tx) => tx.put('servers', server.id, { ...server, host_key_fingerprint: 'SHA256:another', host_key_type: 'ssh-ed25519' }),
        (tx) => session.audit.append(tx, { transport: 'system', operation: 'test pin', key_id: null, outcome: 'success', fields: {} }),
      );
    await expect(pinWhile(pinOther)).rejects.toMatchObject({ code: 'SERVERS.0007' });
    expect((await shown()).host_key_fingerprint).toBe('SHA256:another');
    expect((await pin({ accept_new: true })).server.host_key_fingerprint).toBe(host.fingerprint);
  });
});
