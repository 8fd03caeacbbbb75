import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import type { OperationInput } from '../../../shared/operations/index.js';
import { newSession } from '../../helpers/vault.js';

describe('servers inventory', () => {
  let session: Session;
  let dir: string;
  afterEach(() => {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add / list / show / update / remove with the DESIGN §8 shapes; a new address clears the pinned key', async () => {
    ({ session, dir } = await newSession());
    const call = (op: string, input: Record<string, unknown>) =>
      session.call('servers', op, input, 'cli') as Promise<{ server: Record<string, unknown>; servers: unknown[] }>;
    const { server } = await call('add', { name: 'web1', host: 'web1.example', user: 'root' });
    expect(server).toMatchObject({ name: 'web1', host: 'web1.example', port: 22, user: 'root', host_key_fingerprint: null });
    expect(server.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(call('add', { name: 'web1', host: 'x', user: 'root' })).rejects.toMatchObject({ code: 'SERVERS.0005' });
    await expect(call('add', { name: 'bad', host: '-oProxyCommand=x', user: 'root' })).rejects.toMatchObject({ code: 'SERVERS.0002' });
    expect((await call('list', {})).servers).toHaveLength(1);
    // Simulate a pinned key, then move the server: the pin must go.
    await session.vault.write(
      (tx) => tx.put('servers', server.id as string, { ...server, host_key_fingerprint: 'SHA256:x', host_key_type: 'ssh-ed25519' }),
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test pin', key_id: null, outcome: 'success', fields: {} }),
    );
    expect((await call('update', { id: server.id, notes: 'n' })).server).toMatchObject({ notes: 'n', host_key_fingerprint: 'SHA256:x' });
    expect((await call('update', { id: server.id, port: 2222 })).server).toMatchObject({ port: 2222, host_key_fingerprint: null, host_key_type: null });
    expect((await call('remove', { id: server.id })).server).toMatchObject({ name: 'web1' });
    await expect(call('show', { id: server.id })).rejects.toMatchObject({ code: 'SERVERS.0004', status: 404 });
  });

  it('pin-host-key reports an unreachable server as an error, changing nothing', async () => {
    ({ session, dir } = await newSession());
    const { server } = await session.invoke('serversAdd', { name: 'gone', host: '127.0.0.1', port: 1, user: 'u' }, 'cli');
    await expect(session.invoke('serversPinHostKey', { id: server.id }, 'cli')).rejects.toMatchObject({ code: 'SERVERS.0006' });
    expect((await session.invoke('serversShow', { id: server.id }, 'cli')).server.host_key_fingerprint).toBeNull();
  });

  it('binding requests are checked before any task: unknown server, unpinned host key, unknown key pair, missing auth', async () => {
    ({ session, dir } = await newSession());
    const { server } = await session.invoke('serversAdd', { name: 's', host: '127.0.0.1', user: 'u' }, 'cli');
    const bind = (input: OperationInput<'associateKeypair'>) => session.invoke('associateKeypair', input, 'cli');
    await expect(
      bind({ keypair_name: 'kp', server: { id: '00000000-0000-4000-8000-000000000000', auth: { type: 'password', key: 'p' } } }),
    ).rejects.toMatchObject({ code: 'KPS.8001' });
    await expect(bind({ keypair_name: 'kp', server: { id: server.id, auth: { type: 'password', key: 'p' } } })).rejects.toMatchObject({ code: 'KPS.8002' });
    const shown = (await session.invoke('serversShow', { id: server.id }, 'cli')).server;
    await session.vault.write(
      (tx) => tx.put('servers', server.id, { ...shown, host_key_fingerprint: 'SHA256:x', host_key_type: 'ssh-ed25519' }),
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test pin', key_id: null, outcome: 'success', fields: {} }),
    );
    await expect(bind({ keypair_name: 'kp', server: { id: server.id, auth: { type: 'password', key: 'p' } } })).rejects.toMatchObject({ code: 'KPS.7001' });
    await expect(bind({ keypair_name: 'kp', server: { id: server.id } })).rejects.toMatchObject({ code: 'KPS.0001' });
    await expect(
      session.invoke('batchAssociateKeypair', { batch_keypairs: Array.from({ length: 11 }, () => ({ keypair_name: 'kp', server: { id: server.id } })) }, 'cli'),
    ).rejects.toMatchObject({ code: 'KPS.0002' });
    expect(await session.invoke('listFailedTask', {}, 'cli')).toEqual({ total: 0, tasks: [] });
    await expect(session.invoke('listKeypairTask', { task_id: '00000000-0000-4000-8000-000000000000' }, 'cli')).rejects.toMatchObject({
      code: 'KPS.8003',
      status: 404,
    });
  });
});
