// The host key is shown before it is pinned (docs/binding.md §1): `servers scan-host-key` reads
// what the server presents and pins nothing; `pin-host-key --fingerprint` pins only the key the
// user compared, so a server that presents another key between the two connections (a
// man-in-the-middle that let the first read through) gets nothing pinned. The hosts are
// in-process ssh2 servers behind a forwarder whose target the test switches (no root, no sshd).
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { startSshHost, type SshHost } from '../helpers/ssh-host.js';
import { newSession } from '../helpers/vault.js';

interface Scan {
  host_key_fingerprint: string;
  host_key_type: string;
  pinned_fingerprint: string | null;
  status: string;
}

/** A TCP forwarder on 127.0.0.1 whose target port the test may change between connections. */
async function switchable(target: number): Promise<{ port: number; to(port: number): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let current = target;
  const server: Server = createServer((inbound) => {
    const outbound = connect(current, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    port,
    to: (p) => (current = p),
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let a: SshHost;
let b: SshHost;
let fwd: Awaited<ReturnType<typeof switchable>>;
let session: Session;
let dir: string;
let id: string;

const call = (service: string, op: string, input: Record<string, unknown> = {}) => session.call(service, op, input, 'cli');
const scan = async () => ((await call('servers', 'scan-host-key', { id })) as { scan: Scan }).scan;
const pinned = async () => ((await call('servers', 'show', { id })) as { server: { host_key_fingerprint: string | null } }).server.host_key_fingerprint;

beforeAll(async () => {
  a = await startSshHost();
  b = await startSshHost();
  fwd = await switchable(a.port);
});
afterAll(async () => {
  await fwd.close();
  await a.close();
  await b.close();
});
beforeEach(async () => {
  fwd.to(a.port);
  ({ session, dir } = await newSession());
  id = ((await call('servers', 'add', { name: 'web1', host: '127.0.0.1', port: fwd.port, user: 'u' })) as { server: { id: string } }).server.id;
});
afterEach(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('servers scan-host-key', () => {
  it('shows the presented key (fingerprint as ssh-keygen prints it, and type) and pins nothing', async () => {
    expect(await scan()).toMatchObject({
      host_key_fingerprint: a.fingerprint,
      host_key_type: 'ecdsa-sha2-nistp256',
      pinned_fingerprint: null,
      status: 'not-pinned',
    });
    expect(await pinned()).toBeNull();
  });

  it('after the pin it says the key matches; a different key is reported changed with both fingerprints, still pinning nothing', async () => {
    await call('servers', 'pin-host-key', { id, fingerprint: a.fingerprint });
    expect(await scan()).toMatchObject({ status: 'matches', pinned_fingerprint: a.fingerprint });
    fwd.to(b.port);
    expect(await scan()).toMatchObject({ status: 'changed', pinned_fingerprint: a.fingerprint, host_key_fingerprint: b.fingerprint });
    expect(await pinned()).toBe(a.fingerprint);
  });

  it('an unreachable server answers SERVERS.0006 in words', async () => {
    await fwd.close();
    await expect(scan()).rejects.toMatchObject({ code: 'SERVERS.0006', status: 502 });
    fwd = await switchable(a.port);
  });
});

describe('pin-host-key --fingerprint pins only the key the user checked', () => {
  it('a server presenting another key at pin time gets nothing pinned (SERVERS.0008), and the refusal is audited', async () => {
    const checked = (await scan()).host_key_fingerprint;
    fwd.to(b.port);
    await expect(call('servers', 'pin-host-key', { id, fingerprint: checked })).rejects.toMatchObject({ code: 'SERVERS.0008', status: 409 });
    expect(await pinned()).toBeNull();
    const { events } = (await call('audit', 'list-events', { limit: 5 })) as { events: { operation: string; outcome: string }[] };
    expect(events.find((e) => e.operation.includes('pin-host-key'))?.outcome).toBe('SERVERS.0008');
  });

  it('a changed key is accepted only with accept_new and only when it is the one checked', async () => {
    await call('servers', 'pin-host-key', { id, fingerprint: a.fingerprint });
    fwd.to(b.port);
    await expect(call('servers', 'pin-host-key', { id, fingerprint: b.fingerprint })).rejects.toMatchObject({ code: 'SERVERS.0007' });
    await expect(call('servers', 'pin-host-key', { id, fingerprint: a.fingerprint, accept_new: true })).rejects.toMatchObject({ code: 'SERVERS.0008' });
    expect(await pinned()).toBe(a.fingerprint);
    await call('servers', 'pin-host-key', { id, fingerprint: b.fingerprint, accept_new: true });
    expect(await pinned()).toBe(b.fingerprint);
  });

  it('a malformed fingerprint is refused before any connection (SERVERS.0002)', async () => {
    await expect(call('servers', 'pin-host-key', { id, fingerprint: 'MD5:aa:bb' })).rejects.toMatchObject({ code: 'SERVERS.0002' });
  });
});
