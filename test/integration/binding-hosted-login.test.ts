/**
 * Binding that logs in with a key pair the vault hosts (`server.auth.keypair_name`, docs/binding.md
 * §2): the desktop app's way to log in with "the private key that works today" without pasting
 * it. Against a real sshd on 127.0.0.1 (needs root, like binding-sshd.test.ts): kpA is bound with
 * the password, then kpB replaces it logging in with kpA by name; kpB's exported key then logs in
 * (plain ssh2), kpA's no longer does. Requests that name the login key wrongly are refused
 * before any task starts.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { runBindingTask } from '../helpers/binding.js';
import { canLogin, canRunSshd, TestSshd } from '../helpers/sshd.js';
import { newSession } from '../helpers/vault.js';

describe.skipIf(!canRunSshd())('binding logs in with a hosted key pair', () => {
  let sshd: TestSshd;
  let session: Session;
  let dir: string;
  let serverId: string;
  const call = (service: string, op: string, input: Record<string, unknown>) => session.call(service, op, input, 'cli') as Promise<Record<string, unknown>>;
  const exported = async (name: string) =>
    ((await call('kps', 'export-private-key', { keypair: { name }, format: 'openssh' })) as { keypair: { private_key: string } }).keypair.private_key;

  beforeAll(async () => {
    sshd = await TestSshd.start();
    ({ session, dir } = await newSession());
    for (const name of ['kpA', 'kpB'])
      await call('kps', 'create-keypair', { keypair: { name, algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } } });
    await call('kps', 'create-keypair', {
      keypair: {
        name: 'pubonly',
        public_key: ((await call('kps', 'list-keypairs', {})) as { keypairs: { keypair: { public_key: string } }[] }).keypairs[0]?.keypair.public_key,
      },
    });
    serverId = (
      (await call('servers', 'add', { name: 'user', host: '127.0.0.1', port: sshd.port, user: sshd.user.name, sshd_config: sshd.config })) as {
        server: { id: string };
      }
    ).server.id;
    await call('servers', 'pin-host-key', { id: serverId });
  });

  afterAll(async () => {
    await session?.settle();
    session?.close();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces kpA with kpB logging in with kpA by name; kpB logs in afterwards and kpA does not', async () => {
    expect(
      await runBindingTask(session, 'associate-keypair', {
        keypair_name: 'kpA',
        server: { id: serverId, auth: { type: 'password', key: sshd.user.password } },
      }),
    ).toMatchObject({ status: 'SUCCESS_RESET' });
    const a = await exported('kpA');
    expect(await canLogin(sshd.port, sshd.user.name, { privateKey: a })).toBe(true);
    expect(
      await runBindingTask(session, 'associate-keypair', { keypair_name: 'kpB', server: { id: serverId, auth: { type: 'keypair', keypair_name: 'kpA' } } }),
    ).toEqual({ status: 'SUCCESS_REPLACE', code: undefined, msg: undefined });
    expect(await canLogin(sshd.port, sshd.user.name, { privateKey: await exported('kpB') })).toBe(true);
    expect(await canLogin(sshd.port, sshd.user.name, { privateKey: a })).toBe(false);
  });

  it('logs in with an encrypted pasted key and its passphrase (opened before the transaction); a wrong passphrase is refused before any task', async () => {
    // kpB logs in now (previous case); its key as an encrypted OpenSSH file, as a user would paste it.
    const encrypted = (
      (await call('kps', 'export-private-key', { keypair: { name: 'kpB' }, format: 'openssh', new_passphrase: 'open sesame' })) as {
        keypair: { private_key: string };
      }
    ).keypair.private_key;
    expect(encrypted).toContain('BEGIN OPENSSH PRIVATE KEY');
    const bindA = (auth: Record<string, unknown>) => call('kps', 'associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth } });
    await expect(bindA({ type: 'keypair', key: encrypted })).rejects.toMatchObject({ code: 'KPS.0002', message: expect.stringMatching(/encrypted/) });
    await expect(bindA({ type: 'keypair', key: encrypted, passphrase: 'not it' })).rejects.toMatchObject({ code: 'KPS.0002' });
    await expect(bindA({ type: 'password', key: sshd.user.password, passphrase: 'open sesame' })).rejects.toMatchObject({ code: 'KPS.0002' });
    expect(((await call('kps', 'list-running-task', {})) as { total: number }).total).toBe(0);
    expect(
      await runBindingTask(session, 'associate-keypair', {
        keypair_name: 'kpA',
        server: { id: serverId, auth: { type: 'keypair', key: encrypted, passphrase: 'open sesame' } },
      }),
    ).toMatchObject({ status: 'SUCCESS_REPLACE' });
    expect(await canLogin(sshd.port, sshd.user.name, { privateKey: await exported('kpA') })).toBe(true);
    const { events } = (await call('audit', 'list-events', { limit: 50 })) as { events: unknown[] };
    expect(JSON.stringify(events)).not.toContain('open sesame');
  });

  it('refuses, before any task, a login key pair whose private key is not hosted, an unknown one, and ambiguous or misplaced fields', async () => {
    const bindWith = (auth: Record<string, unknown>) => call('kps', 'associate-keypair', { keypair_name: 'kpB', server: { id: serverId, auth } });
    await expect(bindWith({ type: 'keypair', keypair_name: 'pubonly' })).rejects.toMatchObject({
      code: 'KPS.0002',
      message: expect.stringMatching(/does not host the private key of key pair 'pubonly'/),
    });
    await expect(bindWith({ type: 'keypair', keypair_name: 'nosuch' })).rejects.toMatchObject({ code: 'KPS.7001', status: 404 });
    await expect(bindWith({ type: 'keypair', keypair_name: 'kpB', key: 'x' })).rejects.toMatchObject({ code: 'KPS.0001' });
    await expect(bindWith({ type: 'keypair' })).rejects.toMatchObject({ code: 'KPS.0001' });
    await expect(bindWith({ type: 'password', keypair_name: 'kpA' })).rejects.toMatchObject({ code: 'KPS.0002' });
    await expect(bindWith({ type: 'password' })).rejects.toMatchObject({ code: 'KPS.0001' });
    const { total } = (await call('kps', 'list-running-task', {})) as { total: number };
    expect(total).toBe(0);
  });
});
