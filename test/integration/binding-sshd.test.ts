/**
 * Binding against a real sshd (StrictModes on) on 127.0.0.1: fresh bind, replace, reset,
 * unbind, wrong permissions, read-only authorized_keys, foreign lines kept byte for byte, a
 * changed host key, a connection dropped mid-write, an sshd_config edit that fails `sshd -t`,
 * and disabling password login. After every case the test proves the user can still log in.
 * Needs root (it creates throwaway accounts); one sshd serves the whole file.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { bind } from '../../electron/core/keypairs/binding/engine.js';
import { TaskFailure, TaskFailures } from '../../electron/core/keypairs/binding/errors.js';
import { canLogin, canRunSshd, cuttableProxy, sshKeygen, TestSshd, type Account } from '../helpers/sshd.js';
import { cli, newSession, tempDir, TEST_PASSWORD } from '../helpers/vault.js';
import { runBindingTask } from '../helpers/binding.js';

interface Key {
  privateKey: string;
  publicKey: string;
  path: string;
}

describe.skipIf(!canRunSshd())('binding against a real sshd', () => {
  let sshd: TestSshd;
  let keysDir: string;
  let own: Key;
  const keys: Record<'A' | 'B' | 'R', Key> = {} as Record<'A' | 'B' | 'R', Key>;
  let session: Session;
  let vaultDir: string;
  let serverId: string;
  let adminServerId: string;
  /** The user's own authorized_keys: options, comments, a CRLF line and a non-UTF-8 byte. */
  let foreign: Buffer;

  const sshDir = (a: Account): string => join(a.home, '.ssh');
  const authFile = (a: Account): string => join(a.home, '.ssh', 'authorized_keys');
  const uidOf = (a: Account): number => statSync(a.home).uid;

  async function call(service: string, op: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await session.call(service, op, input, 'cli')) as Record<string, unknown>;
  }

  const task = (op: string, input: Record<string, unknown>) => runBindingTask(session, op, input);

  /** Sets the user's ~/.ssh to exactly `content` (or removes it), owned by the user. */
  function setKeys(a: Account, content: Buffer | null): void {
    rmSync(sshDir(a), { recursive: true, force: true });
    if (content === null) return;
    mkdirSync(sshDir(a), { mode: 0o700 });
    writeFileSync(authFile(a), content, { mode: 0o600 });
    chownSync(sshDir(a), uidOf(a), statSync(a.home).gid);
    chownSync(authFile(a), uidOf(a), statSync(a.home).gid);
  }

  const loginUser = (auth: { password: string } | { privateKey: string }): Promise<boolean> => canLogin(sshd.port, sshd.user.name, auth);

  beforeAll(async () => {
    sshd = await TestSshd.start();
    keysDir = tempDir('keyhold-binding-keys-');
    own = sshKeygen(keysDir, 'own');
    keys.A = sshKeygen(keysDir, 'A');
    keys.B = sshKeygen(keysDir, 'B');
    // RSA (the default key pair type) as a traditional PEM file, to exercise key normalisation.
    keys.R = sshKeygen(keysDir, 'R', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']);
    foreign = Buffer.concat([
      Buffer.from('# my own keys, keep them\n\n', 'utf8'),
      Buffer.from(`no-port-forwarding,from="127.0.0.1" ${own.publicKey}\r\n`, 'utf8'),
      Buffer.from([0x23, 0x20, 0xe9, 0xff, 0x0a]),
      Buffer.from('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl keyhold-lookalike but not ours\n', 'utf8'),
    ]);
    const s = await newSession();
    session = s.session;
    vaultDir = s.dir;
    // Key pairs as issue 7 stores them (table kps_keypairs, field public_key).
    await session.vault.write(
      (tx) => {
        for (const [name, k] of Object.entries(keys)) tx.put('kps_keypairs', `kp${name}`, { name: `kp${name}`, public_key: k.publicKey });
      },
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test seed key pairs', key_id: null, outcome: 'success', fields: {} }),
    );
    serverId = (
      (await call('servers', 'add', { name: 'user', host: '127.0.0.1', port: sshd.port, user: sshd.user.name, sshd_config: sshd.config })) as {
        server: { id: string };
      }
    ).server.id;
    adminServerId = (
      (await call('servers', 'add', { name: 'admin', host: '127.0.0.1', port: sshd.port, user: sshd.admin.name, sshd_config: sshd.config })) as {
        server: { id: string };
      }
    ).server.id;
    for (const id of [serverId, adminServerId]) await call('servers', 'pin-host-key', { id });
  });

  afterAll(async () => {
    await session?.settle();
    session?.close();
    await sshd?.stop();
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
    if (vaultDir) rmSync(vaultDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    setKeys(sshd.user, foreign);
  });

  const password = (): { type: 'password'; key: string } => ({ type: 'password', key: sshd.user.password });

  it('fresh bind creates ~/.ssh 700 and authorized_keys 600 owned by the user; the new key logs in', async () => {
    setKeys(sshd.user, null);
    const r = await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey });
    expect(r).toEqual({ status: 'SUCCESS_RESET', code: undefined, msg: undefined });
    expect(statSync(sshDir(sshd.user)).mode & 0o777).toBe(0o700);
    expect(statSync(authFile(sshd.user)).mode & 0o777).toBe(0o600);
    expect(statSync(authFile(sshd.user)).uid).toBe(uidOf(sshd.user));
    expect(readFileSync(authFile(sshd.user), 'utf8')).toBe(`${keys.A.publicKey.split(' ').slice(0, 2).join(' ')} keyhold:kpA\n`);
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
    expect(await loginUser({ password: sshd.user.password })).toBe(true);
  });

  it('keeps every foreign line byte for byte: bind appends one tagged line, unbind restores the file exactly', async () => {
    const r = await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey });
    expect(r).toMatchObject({ status: 'SUCCESS_RESET' });
    const after = readFileSync(authFile(sshd.user));
    expect(after.subarray(0, foreign.length).equals(foreign)).toBe(true);
    expect(after.subarray(foreign.length).toString('utf8')).toMatch(/^ssh-ed25519 \S+ keyhold:kpA\n$/);
    expect(existsSync(`${authFile(sshd.user)}.keyhold-backup`)).toBe(true);
    const u = await task('disassociate-keypair', { server: { id: serverId, auth: password() } });
    expect(u).toMatchObject({ status: 'SUCCESS_UNBIND' });
    expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(false);
  });

  it('replace (with the old private key) swaps the bound key only after the new one logged in', async () => {
    expect(
      await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey }),
    ).toMatchObject({ status: 'SUCCESS_RESET' });
    const r = await task('associate-keypair', {
      keypair_name: 'kpB',
      server: { id: serverId, auth: { type: 'keypair', key: keys.A.privateKey } },
      keypair_private_key: keys.B.privateKey,
    });
    expect(r).toMatchObject({ status: 'SUCCESS_REPLACE' });
    expect(await loginUser({ privateKey: keys.B.privateKey })).toBe(true);
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(false);
    const text = readFileSync(authFile(sshd.user));
    expect(text.subarray(0, foreign.length).equals(foreign)).toBe(true);
    expect(text.toString('latin1').match(/keyhold:/g)).toHaveLength(1);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('a key pair whose private key Keyhold hosts binds without keypair_private_key: the hosted key proves the login', async () => {
    const created = (await call('kps', 'create-keypair', {
      keypair: { name: 'hosted', algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } },
    })) as { keypair: { name: string } };
    expect(created.keypair.name).toBe('hosted');
    expect(
      await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey }),
    ).toMatchObject({ status: 'SUCCESS_RESET' });
    // Replacing kpA needs proof that the new key logs in; only the hosted key can give it here.
    expect(
      await task('associate-keypair', { keypair_name: 'hosted', server: { id: serverId, auth: { type: 'keypair', key: keys.A.privateKey } } }),
    ).toMatchObject({ status: 'SUCCESS_REPLACE' });
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(false);
    const exported = (await call('kps', 'export-private-key', { keypair: { name: 'hosted' }, format: 'openssh' })) as { keypair: { private_key: string } };
    expect(await loginUser({ privateKey: exported.keypair.private_key })).toBe(true);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('reset (with the password) replaces a bound key whose private key is lost', async () => {
    expect(
      await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey }),
    ).toMatchObject({ status: 'SUCCESS_RESET' });
    const r = await task('associate-keypair', { keypair_name: 'kpB', server: { id: serverId, auth: password() }, keypair_private_key: keys.B.privateKey });
    expect(r).toMatchObject({ status: 'SUCCESS_RESET' });
    expect(await loginUser({ privateKey: keys.B.privateKey })).toBe(true);
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(false);
    expect(await loginUser({ password: sshd.user.password })).toBe(true);
  });

  it('an RSA key pair whose private key is given as PKCS#1 PEM binds and logs in', async () => {
    expect(keys.R.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const r = await task('associate-keypair', {
      keypair_name: 'kpR',
      server: { id: serverId, auth: { type: 'keypair', key: own.privateKey } },
      keypair_private_key: keys.R.privateKey,
    });
    expect(r).toMatchObject({ status: 'SUCCESS_REPLACE' });
    expect(readFileSync(authFile(sshd.user), 'utf8')).toMatch(/\nssh-rsa \S+ keyhold:kpR\n$/);
    expect(await loginUser({ privateKey: keys.R.privateKey })).toBe(true);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('replacing without the new private key is refused before anything changes (no proof, no removal)', async () => {
    expect(
      await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey }),
    ).toMatchObject({ status: 'SUCCESS_RESET' });
    const before = readFileSync(authFile(sshd.user));
    const r = await task('associate-keypair', { keypair_name: 'kpB', server: { id: serverId, auth: password() } });
    expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.WouldLockOut });
    expect(readFileSync(authFile(sshd.user)).equals(before)).toBe(true);
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
  });

  it('unbind refuses to remove the very key it logged in with, and unbinds with the password', async () => {
    expect(
      await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey }),
    ).toMatchObject({ status: 'SUCCESS_RESET' });
    const before = readFileSync(authFile(sshd.user));
    const refused = await task('disassociate-keypair', { server: { id: serverId, auth: { type: 'keypair', key: keys.A.privateKey } } });
    expect(refused).toMatchObject({ status: 'FAILED_UNBIND', code: TaskFailures.WouldLockOut });
    expect(readFileSync(authFile(sshd.user)).equals(before)).toBe(true);
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
    const ok = await task('disassociate-keypair', { server: { id: serverId, auth: { type: 'keypair', key: own.privateKey } } });
    expect(ok).toMatchObject({ status: 'SUCCESS_UNBIND' });
    expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('wrong permissions on ~/.ssh: the task fails naming the cause, nothing is written, the password still logs in', async () => {
    chmodSync(sshDir(sshd.user), 0o777);
    const r = await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey });
    expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.WrongPermissions });
    expect(r.msg).toMatch(/Wrong permissions or owner.*\.ssh is mode 0777/);
    expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
    expect(await loginUser({ password: sshd.user.password })).toBe(true);
    chmodSync(sshDir(sshd.user), 0o700);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('a read-only authorized_keys is left alone', async () => {
    chmodSync(authFile(sshd.user), 0o400);
    const r = await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey });
    expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.ReadOnly });
    expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
    expect(statSync(authFile(sshd.user)).mode & 0o777).toBe(0o400);
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('a changed host key is a hard error until re-pinned with accept_new', async () => {
    const restore = await sshd.changeHostKey();
    try {
      const r = await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey });
      expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.HostKeyChanged });
      expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
      await expect(call('servers', 'pin-host-key', { id: serverId })).rejects.toMatchObject({ code: 'SERVERS.0007' });
      expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
    } finally {
      await restore();
    }
    const again = (await call('servers', 'pin-host-key', { id: serverId })) as { server: { host_key_fingerprint: string } };
    expect(again.server.host_key_fingerprint).toMatch(/^SHA256:/);
  });

  it('a connection dropped mid-write leaves authorized_keys untouched; the next bind cleans up and succeeds', async () => {
    const proxy = await cuttableProxy(sshd.port);
    const server = (await call('servers', 'show', { id: serverId })) as { server: { host_key_fingerprint: string; host_key_type: string } };
    const target = {
      host: '127.0.0.1',
      port: proxy.port,
      user: sshd.user.name,
      host_key_fingerprint: server.server.host_key_fingerprint,
      host_key_type: server.server.host_key_type,
      sshd_config: sshd.config,
    };
    try {
      const plan = {
        server: target,
        auth: { type: 'password' as const, password: sshd.user.password },
        keypairName: 'kpA',
        publicKey: keys.A.publicKey,
        proofKey: keys.A.privateKey,
        disablePassword: false,
      };
      // Cut after the new authorized_keys is fully written to its temp file, before the rename.
      const err = await bind(plan, { step: (name, path) => (name === 'temp-written' && path.endsWith('/authorized_keys') ? proxy.cut() : undefined) }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TaskFailure);
      expect((err as TaskFailure).code).toBe(TaskFailures.ConnectionLost);
      expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
      expect(readdirSync(sshDir(sshd.user)).some((f) => f.includes('.keyhold-tmp-'))).toBe(true);
      expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
      await bind(plan);
      expect(readdirSync(sshDir(sshd.user)).some((f) => f.includes('.keyhold-tmp-'))).toBe(false);
      expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('batch-associate-keypair: one task per server, a bad entry fails alone without a task', async () => {
    setKeys(sshd.admin, null);
    const missing = '00000000-0000-4000-8000-000000000000';
    const body = (id: string, a: Account) => ({
      keypair_name: 'kpA',
      server: { id, auth: { type: 'password', key: a.password } },
      keypair_private_key: keys.A.privateKey,
    });
    const { tasks } = (await call('kps', 'batch-associate-keypair', {
      batch_keypairs: [body(serverId, sshd.user), body(adminServerId, sshd.admin), body(missing, sshd.user)],
    })) as {
      tasks: { task_id?: string; server_id: string; status: string; error_code?: string }[];
    };
    expect(tasks.map((t) => t.status)).toEqual(['SUCCESS', 'SUCCESS', 'FAILED']);
    expect(tasks[2]).toMatchObject({ server_id: missing, error_code: 'KPS.8001' });
    expect(tasks[2]?.task_id).toBeUndefined();
    await session.settle();
    for (const t of tasks.slice(0, 2))
      expect(await call('kps', 'list-keypair-task', { task_id: t.task_id as string })).toMatchObject({ task_status: 'SUCCESS_RESET' });
    expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
    expect(await canLogin(sshd.port, sshd.admin.name, { privateKey: keys.A.privateKey })).toBe(true);
    setKeys(sshd.admin, null);
  });

  it('respects a non-default AuthorizedKeysFile read from sshd_config', async () => {
    const original = readFileSync(sshd.config);
    writeFileSync(sshd.config, original.toString('utf8').replace('AuthorizedKeysFile .ssh/authorized_keys', 'AuthorizedKeysFile %h/.ssh/keys_by_admin'));
    await sshd.reload();
    try {
      const r = await task('associate-keypair', { keypair_name: 'kpA', server: { id: serverId, auth: password() }, keypair_private_key: keys.A.privateKey });
      expect(r).toMatchObject({ status: 'SUCCESS_RESET' });
      expect(readFileSync(join(sshDir(sshd.user), 'keys_by_admin'), 'utf8')).toMatch(/ keyhold:kpA\n$/);
      expect(statSync(join(sshDir(sshd.user), 'keys_by_admin')).mode & 0o777).toBe(0o600);
      expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
      expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
    } finally {
      writeFileSync(sshd.config, original);
      await sshd.reload();
    }
    expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
  });

  it('a failure after the connection dropped is rolled back through a new login', async () => {
    const proxy = await cuttableProxy(sshd.port);
    const server = (await call('servers', 'show', { id: serverId })) as { server: { host_key_fingerprint: string; host_key_type: string } };
    const target = {
      host: '127.0.0.1',
      port: proxy.port,
      user: sshd.user.name,
      host_key_fingerprint: server.server.host_key_fingerprint,
      host_key_type: server.server.host_key_type,
      sshd_config: sshd.config,
    };
    try {
      // The proof key does not match the line written, so the proof fails after the cut.
      const plan = {
        server: target,
        auth: { type: 'password' as const, password: sshd.user.password },
        keypairName: 'kpA',
        publicKey: keys.A.publicKey,
        proofKey: keys.B.privateKey,
        disablePassword: false,
      };
      const err = await bind(plan, { step: (name, path) => (name === 'renamed' && path.endsWith('/authorized_keys') ? proxy.cut() : undefined) }).catch(
        (e: unknown) => e,
      );
      expect((err as TaskFailure).code).toBe(TaskFailures.NewKeyRejected);
      expect(readFileSync(authFile(sshd.user)).equals(foreign)).toBe(true);
      expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(false);
      expect(await loginUser({ privateKey: own.privateKey })).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  describe('sshd_config (as a uid-0 account)', () => {
    const adminAuth = (): { type: 'password'; key: string } => ({ type: 'password', key: sshd.admin.password });
    const loginAdmin = (auth: { password: string } | { privateKey: string }): Promise<boolean> => canLogin(sshd.port, sshd.admin.name, auth);

    beforeEach(() => setKeys(sshd.admin, null));

    it('an edit that fails `sshd -t` is rolled back: sshd_config and authorized_keys as before, password login works', async () => {
      const good = readFileSync(sshd.config);
      const broken = Buffer.concat([good, Buffer.from('NoSuchKeyword yes\n')]);
      writeFileSync(sshd.config, broken);
      try {
        const r = await task('associate-keypair', {
          keypair_name: 'kpA',
          server: { id: adminServerId, auth: adminAuth(), disable_password: true },
          keypair_private_key: keys.A.privateKey,
        });
        expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.SshdConfigInvalid });
        expect(readFileSync(sshd.config).equals(broken)).toBe(true);
        expect(existsSync(authFile(sshd.admin))).toBe(false);
        expect(await loginAdmin({ password: sshd.admin.password })).toBe(true);
        expect(await loginAdmin({ privateKey: keys.A.privateKey })).toBe(false);
      } finally {
        writeFileSync(sshd.config, good);
      }
    });

    it('disable_password: password login refused after the bind, restored by unbind; sshd_config back byte for byte', async () => {
      const original = readFileSync(sshd.config);
      try {
        const r = await task('associate-keypair', {
          keypair_name: 'kpA',
          server: { id: adminServerId, auth: adminAuth(), disable_password: true },
          keypair_private_key: keys.A.privateKey,
        });
        expect(r).toMatchObject({ status: 'SUCCESS_RESET' });
        expect(readFileSync(sshd.config, 'utf8')).toMatch(/^# keyhold: begin[^\n]*\nPasswordAuthentication no\n/);
        expect(await loginAdmin({ password: sshd.admin.password })).toBe(false);
        expect(await loginUser({ password: sshd.user.password })).toBe(false);
        expect(await loginAdmin({ privateKey: keys.A.privateKey })).toBe(true);
        // Password login is off, so the bound key opens the session; the password is proven at the end.
        const u = await task('disassociate-keypair', { server: { id: adminServerId, auth: adminAuth() }, keypair_private_key: keys.A.privateKey });
        expect(u).toMatchObject({ status: 'SUCCESS_UNBIND' });
        expect(readFileSync(sshd.config).equals(original)).toBe(true);
        expect(await loginAdmin({ password: sshd.admin.password })).toBe(true);
        expect(await loginAdmin({ privateKey: keys.A.privateKey })).toBe(false);
      } finally {
        // Whatever happened, the next tests get the sshd they expect.
        if (!readFileSync(sshd.config).equals(original)) {
          writeFileSync(sshd.config, original);
          await sshd.reload();
        }
      }
    });
  });

  it('through the CLI: servers add / pin-host-key, associate-keypair returns a task id and waits for it, tasks list', async () => {
    const vault = join(vaultDir, 'vault.db');
    session.close();
    try {
      const add = cli(vault, [
        'servers',
        'add',
        '--name',
        'cli',
        '--host',
        '127.0.0.1',
        '--port',
        String(sshd.port),
        '--user',
        sshd.user.name,
        '--sshd-config',
        sshd.config,
      ]);
      expect(add.status).toBe(0);
      const server = (add.json as { server: Record<string, unknown> }).server;
      expect(server).toMatchObject({ name: 'cli', host: '127.0.0.1', port: sshd.port, user: sshd.user.name, host_key_fingerprint: null });
      const pin = cli(vault, ['servers', 'pin-host-key', '--id', String(server.id)]);
      expect((pin.json as { server: { host_key_fingerprint: string } }).server.host_key_fingerprint).toBe(
        execSshKeygenFingerprint(join(sshd.dir, 'host_ed25519.pub')),
      );
      const body = join(keysDir, 'bind.json');
      writeFileSync(
        body,
        JSON.stringify({
          keypair_name: 'kpA',
          server: { id: server.id, auth: { type: 'password', key: sshd.user.password } },
          keypair_private_key: keys.A.privateKey,
        }),
        { mode: 0o600 },
      );
      const bound = cli(vault, ['kps', 'associate-keypair', '--input-json', `@${body}`]);
      expect(bound.status).toBe(0);
      const taskId = (bound.json as { task_id: string }).task_id;
      const shown = cli(vault, ['kps', 'list-keypair-task', '--task-id', taskId]);
      expect(shown.json).toEqual({ server_id: server.id, task_id: taskId, task_status: 'SUCCESS_RESET' });
      expect(cli(vault, ['kps', 'list-running-task']).json).toEqual({ total: 0, tasks: [] });
      expect(await loginUser({ privateKey: keys.A.privateKey })).toBe(true);
      const audit = cli(vault, ['audit', 'verify']);
      expect(audit.status).toBe(0);
      expect(bound.stdout + shown.stdout + audit.stdout + bound.stderr).not.toContain(sshd.user.password);
    } finally {
      session = await Session.open(vault, { password: TEST_PASSWORD });
    }
  });
});

function execSshKeygenFingerprint(pub: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).split(' ')[1] as string;
}
