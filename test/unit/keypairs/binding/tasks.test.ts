/**
 * Binding tasks without an sshd: a bind to a port where nothing listens runs as a background
 * task that starts only after its request committed, is RUNNING until it ends, then FAILED with
 * the FAQ's "connection refused" cause; failed tasks can be deleted; no credential reaches the
 * vault's task records or the audit log.
 */
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import sshpk from 'sshpk';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../../electron/core/api/index.js';
import { freePort } from '../../../helpers/sshd.js';
import { newSession } from '../../../helpers/vault.js';

const SECRET = 'hunter2-not-in-any-record';

function keypair(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = sshpk.parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'pem');
  key.comment = 'test';
  return { privateKey: key.toString('openssh'), publicKey: key.toPublic().toString('ssh') };
}

describe('binding tasks', () => {
  let session: Session;
  let dir: string;
  afterEach(() => {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function seed(port: number): Promise<string> {
    const { server } = await session.invoke('serversAdd', { name: 'nowhere', host: '127.0.0.1', port, user: 'u' }, 'cli');
    const kp = keypair();
    await session.vault.write(
      (tx) => {
        tx.put('servers', server.id as string, { ...server, host_key_fingerprint: 'SHA256:x', host_key_type: 'ssh-ed25519' });
        tx.put('kps_keypairs', 'kp1', { name: 'kp1', public_key: kp.publicKey });
      },
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test seed', key_id: null, outcome: 'success', fields: {} }),
    );
    return server.id as string;
  }

  it('a task is RUNNING while the server holds it, blocks a second one on that server, then records its failure', async () => {
    ({ session, dir } = await newSession());
    // A TCP server that accepts and says nothing until the test lets go.
    const held = new Set<Socket>();
    const silent = createServer((s) => held.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const id = await seed((silent.address() as AddressInfo).port);
    try {
      const body = { keypair_name: 'kp1', server: { id, auth: { type: 'password' as const, key: SECRET } } };
      const { task_id } = await session.invoke('associateKeypair', body, 'cli');
      expect(await session.invoke('listKeypairTask', { task_id }, 'cli')).toEqual({ server_id: id, task_id, task_status: 'RUNNING_RESET' });
      expect(await session.invoke('listRunningTask', {}, 'cli')).toMatchObject({
        total: 1,
        tasks: [{ task_id, operate_type: 'RUNNING_RESET', server_name: 'nowhere', keypair_name: 'kp1' }],
      });
      await expect(session.invoke('associateKeypair', body, 'cli')).rejects.toMatchObject({ code: 'KPS.0002' });
      while (held.size === 0) await new Promise((r) => setTimeout(r, 10));
      for (const s of held) s.destroy();
      await session.settle();
      expect(await session.invoke('listKeypairTask', { task_id }, 'cli')).toMatchObject({ task_status: 'FAILED_RESET' });
      expect(await session.invoke('listFailedTask', {}, 'cli')).toMatchObject({ total: 1, tasks: [{ task_id, task_error_code: 'KPS.8108' }] });
    } finally {
      silent.close();
    }
  });

  it('connection refused: FAILED_RESET with KPS.8101 and the FAQ cause; no credential in records or audit; delete-failed-task', async () => {
    ({ session, dir } = await newSession());
    const id = await seed(await freePort());
    const { task_id } = await session.invoke('associateKeypair', { keypair_name: 'kp1', server: { id, auth: { type: 'password', key: SECRET } } }, 'cli');
    await session.settle();
    expect(await session.invoke('listKeypairTask', { task_id }, 'cli')).toMatchObject({ task_status: 'FAILED_RESET' });
    const failed = await session.invoke('listFailedTask', {}, 'cli');
    expect(failed.total).toBe(1);
    expect(failed.tasks[0]).toMatchObject({ task_error_code: 'KPS.8101', operate_type: 'FAILED_RESET' });
    expect(failed.tasks[0]?.task_error_msg).toMatch(/^Connection refused/);

    const everything = JSON.stringify([session.vault.list('kps_binding_tasks'), await session.invoke('auditListEvents', { limit: 1000 }, 'cli')]);
    expect(everything).toContain(task_id);
    expect(everything).not.toContain(SECRET);
    expect(await session.invoke('auditVerify', {}, 'cli')).toMatchObject({ valid: true });

    expect(await session.invoke('deleteFailedTask', { task_id }, 'cli')).toEqual({});
    expect(await session.invoke('listFailedTask', {}, 'cli')).toEqual({ total: 0, tasks: [] });
    await expect(session.invoke('deleteFailedTask', { task_id }, 'cli')).rejects.toMatchObject({ code: 'KPS.8003' });
  });

  it('a request that fails its checks starts nothing; delete-all-failed-task clears the list', async () => {
    ({ session, dir } = await newSession());
    const id = await seed(await freePort());
    await expect(
      session.invoke('associateKeypair', { keypair_name: 'kp1', server: { id, auth: { type: 'keypair', key: 'not a key' } } }, 'cli'),
    ).rejects.toMatchObject({ code: 'KPS.0002' });
    await expect(
      session.invoke(
        'associateKeypair',
        { keypair_name: 'kp1', server: { id, auth: { type: 'password', key: SECRET } }, keypair_private_key: keypair().privateKey },
        'cli',
      ),
    ).rejects.toMatchObject({ code: 'KPS.7003' });
    expect(await session.invoke('listRunningTask', {}, 'cli')).toEqual({ total: 0, tasks: [] });
    for (let i = 0; i < 2; i++) {
      await session.invoke('disassociateKeypair', { server: { id, auth: { type: 'password', key: SECRET } } }, 'cli');
      await session.settle();
    }
    expect(await session.invoke('listFailedTask', { limit: 1 }, 'cli')).toMatchObject({
      total: 2,
      tasks: [{ operate_type: 'FAILED_UNBIND', task_error_code: 'KPS.8101' }],
    });
    expect(await session.invoke('deleteAllFailedTask', {}, 'cli')).toEqual({});
    expect(await session.invoke('listFailedTask', {}, 'cli')).toEqual({ total: 0, tasks: [] });
  });
});
