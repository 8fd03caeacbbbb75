/**
 * Issue #19: binding on the servers people actually run, against real sshds on 127.0.0.1
 * (StrictModes on), one with and one without an sftp subsystem:
 *
 * - no sftp: bind, replace and unbind go over the exec channel (POSIX sh) with the same results
 *   — foreign lines byte for byte, mode and owner kept — and end within their timeout;
 * - a symbolic-link authorized_keys (home-manager, dotfile repos): the link survives, its target
 *   holds the key, the key logs in;
 * - a root-managed AuthorizedKeysFile (/srv/…/%u, root 0644): a clear refusal naming the cause.
 *
 * The login user is an ordinary account made with useradd (the sshd helper), so root's
 * privileges never make a check pass by accident. Needs root to create it, and openssh-server.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { bind } from '../../electron/core/keypairs/binding/engine.js';
import { TaskFailure, TaskFailures } from '../../electron/core/keypairs/binding/errors.js';
import { canLogin, canRunSshd, sshKeygen, TestSshd, type Account } from '../helpers/sshd.js';
import { newSession, tempDir } from '../helpers/vault.js';
import { runBindingTask } from '../helpers/binding.js';

interface Key {
  privateKey: string;
  publicKey: string;
}

/** The tagged line Keyhold writes for key pair `name`. */
function lineOf(k: Key, name: string): string {
  return `${k.publicKey.split(' ').slice(0, 2).join(' ')} keyhold:${name}\n`;
}

describe.skipIf(!canRunSshd())('binding on real server layouts', () => {
  const sshds: Record<'sftp' | 'exec', TestSshd> = {} as Record<'sftp' | 'exec', TestSshd>;
  const servers: Record<'sftp' | 'exec', string> = {} as Record<'sftp' | 'exec', string>;
  /** The same sshds with their uid-0 account (not the machine's root): binds a root-managed file. */
  const rootServers: Record<'sftp' | 'exec', string> = {} as Record<'sftp' | 'exec', string>;
  let session: Session;
  let vaultDir: string;
  let keysDir: string;
  let own: Key;
  const keys: Record<'A' | 'B', Key> = {} as Record<'A' | 'B', Key>;
  const foreign = Buffer.concat([Buffer.from('# mine\r\n', 'utf8'), Buffer.from([0x23, 0xe9, 0xff, 0x0a])]);

  const uidOf = (a: Account): number => statSync(a.home).uid;
  const gidOf = (a: Account): number => statSync(a.home).gid;

  async function call(service: string, op: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await session.call(service, op, input, 'cli')) as Record<string, unknown>;
  }

  const task = (op: string, input: Record<string, unknown>) => runBindingTask(session, op, input);

  /** `~/.ssh/authorized_keys` as `content`, owned by the user; or a link into ~/dotfiles. */
  function setKeys(a: Account, content: Buffer, link = false): string {
    const ssh = join(a.home, '.ssh');
    const dotfiles = join(a.home, 'dotfiles');
    rmSync(ssh, { recursive: true, force: true });
    rmSync(dotfiles, { recursive: true, force: true });
    mkdirSync(ssh, { mode: 0o700 });
    chownSync(ssh, uidOf(a), gidOf(a));
    let target = join(ssh, 'authorized_keys');
    if (link) {
      mkdirSync(join(dotfiles, 'ssh'), { recursive: true, mode: 0o755 });
      for (const d of [dotfiles, join(dotfiles, 'ssh')]) chownSync(d, uidOf(a), gidOf(a));
      target = join(dotfiles, 'ssh', 'authorized_keys');
      symlinkSync('../dotfiles/ssh/authorized_keys', join(ssh, 'authorized_keys'));
    }
    writeFileSync(target, content, { mode: 0o600 });
    chownSync(target, uidOf(a), gidOf(a));
    return target;
  }

  beforeAll(async () => {
    sshds.sftp = await TestSshd.start();
    sshds.exec = await TestSshd.start({ sftp: false });
    keysDir = tempDir('keyhold-layout-keys-');
    own = sshKeygen(keysDir, 'own');
    keys.A = sshKeygen(keysDir, 'A');
    keys.B = sshKeygen(keysDir, 'B');
    const s = await newSession();
    session = s.session;
    vaultDir = s.dir;
    await session.vault.write(
      (tx) => {
        for (const [name, k] of Object.entries(keys)) tx.put('kps_keypairs', `kp${name}`, { name: `kp${name}`, public_key: k.publicKey });
      },
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test seed key pairs', key_id: null, outcome: 'success', fields: {} }),
    );
    for (const kind of ['sftp', 'exec'] as const) {
      const d = sshds[kind];
      servers[kind] = (
        (await call('servers', 'add', { name: kind, host: '127.0.0.1', port: d.port, user: d.user.name, sshd_config: d.config })) as { server: { id: string } }
      ).server.id;
      rootServers[kind] = (
        (await call('servers', 'add', { name: `${kind}-root`, host: '127.0.0.1', port: d.port, user: d.admin.name, sshd_config: d.config })) as {
          server: { id: string };
        }
      ).server.id;
      for (const id of [servers[kind], rootServers[kind]]) await call('servers', 'pin-host-key', { id });
    }
  }, 60_000);

  afterAll(async () => {
    await session?.settle();
    session?.close();
    for (const d of Object.values(sshds)) await d?.stop();
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
    if (vaultDir) rmSync(vaultDir, { recursive: true, force: true });
  });

  it('without an sftp subsystem: bind, replace and unbind go over the exec channel, file kept byte for byte with its mode and owner', async () => {
    const d = sshds.exec;
    const file = setKeys(d.user, foreign);
    chmodSync(file, 0o640);
    const password = { type: 'password', key: d.user.password };

    const bound = await task('associate-keypair', {
      keypair_name: 'kpA',
      server: { id: servers.exec, auth: password },
      keypair_private_key: keys.A.privateKey,
    });
    expect(bound).toEqual({ status: 'SUCCESS_RESET', code: undefined, msg: undefined });
    expect(d.log).toMatch(/subsystem request for sftp.*failed/);
    expect(readFileSync(file).equals(Buffer.concat([foreign, Buffer.from(lineOf(keys.A, 'kpA'))]))).toBe(true);
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect([statSync(file).uid, statSync(file).gid]).toEqual([uidOf(d.user), gidOf(d.user)]);
    expect(readFileSync(`${file}.keyhold-backup`).equals(foreign)).toBe(true);
    expect(await canLogin(d.port, d.user.name, { privateKey: keys.A.privateKey })).toBe(true);

    const replaced = await task('associate-keypair', {
      keypair_name: 'kpB',
      server: { id: servers.exec, auth: { type: 'keypair', key: keys.A.privateKey } },
      keypair_private_key: keys.B.privateKey,
    });
    expect(replaced).toMatchObject({ status: 'SUCCESS_REPLACE' });
    expect(readFileSync(file).equals(Buffer.concat([foreign, Buffer.from(lineOf(keys.B, 'kpB'))]))).toBe(true);
    expect(await canLogin(d.port, d.user.name, { privateKey: keys.A.privateKey })).toBe(false);
    expect(await canLogin(d.port, d.user.name, { privateKey: keys.B.privateKey })).toBe(true);

    const unbound = await task('disassociate-keypair', { server: { id: servers.exec, auth: password } });
    expect(unbound).toMatchObject({ status: 'SUCCESS_UNBIND' });
    expect(readFileSync(file).equals(foreign)).toBe(true);
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect(await canLogin(d.port, d.user.name, { privateKey: keys.B.privateKey })).toBe(false);
    expect(await canLogin(d.port, d.user.name, { password: d.user.password })).toBe(true);
  }, 90_000);

  it('without an sftp subsystem, a StrictModes problem is refused with its cause, not a hang', async () => {
    const d = sshds.exec;
    const file = setKeys(d.user, foreign);
    chmodSync(join(d.user.home, '.ssh'), 0o777);
    const r = await task('associate-keypair', {
      keypair_name: 'kpA',
      server: { id: servers.exec, auth: { type: 'password', key: d.user.password } },
      keypair_private_key: keys.A.privateKey,
    });
    expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.WrongPermissions });
    expect(r.msg).toMatch(/\.ssh is mode 0777/);
    expect(readFileSync(file).equals(foreign)).toBe(true);
  }, 60_000);

  it.each(['sftp', 'exec'] as const)(
    'a symbolic-link authorized_keys (%s): written through, the link survives, the key logs in',
    async (kind) => {
      const d = sshds[kind];
      const target = setKeys(d.user, foreign, true);
      const link = join(d.user.home, '.ssh', 'authorized_keys');
      const r = await task('associate-keypair', {
        keypair_name: 'kpA',
        server: { id: servers[kind], auth: { type: 'password', key: d.user.password } },
        keypair_private_key: keys.A.privateKey,
      });
      expect(r).toEqual({ status: 'SUCCESS_RESET', code: undefined, msg: undefined });
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe('../dotfiles/ssh/authorized_keys');
      expect(readFileSync(target).equals(Buffer.concat([foreign, Buffer.from(lineOf(keys.A, 'kpA'))]))).toBe(true);
      expect(statSync(target).mode & 0o7777).toBe(0o600);
      expect(await canLogin(d.port, d.user.name, { privateKey: keys.A.privateKey })).toBe(true);

      const u = await task('disassociate-keypair', { server: { id: servers[kind], auth: { type: 'password', key: d.user.password } } });
      expect(u).toMatchObject({ status: 'SUCCESS_UNBIND' });
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(target).equals(foreign)).toBe(true);
    },
    90_000,
  );

  it.each(['sftp', 'exec'] as const)(
    'a root-managed AuthorizedKeysFile (%s): refused for a user, saying why and what to do; bound as root it works',
    async (kind) => {
      const d = sshds[kind];
      const keysRoot = join('/srv', `keyhold-test-${d.user.name}`);
      mkdirSync(keysRoot, { recursive: true, mode: 0o755 });
      const file = join(keysRoot, d.user.name);
      writeFileSync(file, `${own.publicKey}\n`, { mode: 0o644 });
      const original = readFileSync(d.config);
      writeFileSync(d.config, original.toString('utf8').replace('AuthorizedKeysFile .ssh/authorized_keys', `AuthorizedKeysFile ${keysRoot}/%u`));
      await d.reload();
      try {
        // sshd accepts the layout: the user's key in the root-owned file logs in.
        expect(await canLogin(d.port, d.user.name, { privateKey: own.privateKey })).toBe(true);
        const r = await task('associate-keypair', {
          keypair_name: 'kpA',
          server: { id: servers[kind], auth: { type: 'password', key: d.user.password } },
          keypair_private_key: keys.A.privateKey,
        });
        expect(r).toMatchObject({ status: 'FAILED_RESET', code: TaskFailures.NotWritableByUser });
        expect(r.msg).toContain(`${file} is owned by root (mode 0644)`);
        expect(r.msg).toMatch(/cannot replace it; register the server with user root/);
        expect(readFileSync(file, 'utf8')).toBe(`${own.publicKey}\n`);

        // Bound as root (here the sshd's uid-0 account), the same layout works: root's own file in
        // the root-managed directory gets the key, keeping its owner and mode 0644.
        const rootFile = join(keysRoot, d.admin.name);
        writeFileSync(rootFile, `${own.publicKey}\n`, { mode: 0o644 });
        const asRoot = await task('associate-keypair', {
          keypair_name: 'kpA',
          server: { id: rootServers[kind], auth: { type: 'password', key: d.admin.password } },
          keypair_private_key: keys.A.privateKey,
        });
        expect(asRoot).toEqual({ status: 'SUCCESS_RESET', code: undefined, msg: undefined });
        expect(readFileSync(rootFile, 'utf8')).toBe(`${own.publicKey}\n${lineOf(keys.A, 'kpA')}`);
        expect([statSync(rootFile).mode & 0o7777, statSync(rootFile).uid]).toEqual([0o644, 0]);
        expect(await canLogin(d.port, d.admin.name, { privateKey: keys.A.privateKey })).toBe(true);
      } finally {
        writeFileSync(d.config, original);
        await d.reload();
        rmSync(keysRoot, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.each(['sftp', 'exec'] as const)(
    'cancelled (%s) right after authorized_keys was replaced: the change is rolled back, no temp file left',
    async (kind) => {
      const d = sshds[kind];
      const file = setKeys(d.user, foreign);
      const { server } = (await call('servers', 'show', { id: servers[kind] })) as { server: { host_key_fingerprint: string; host_key_type: string } };
      const controller = new AbortController();
      const plan = {
        server: {
          host: '127.0.0.1',
          port: d.port,
          user: d.user.name,
          host_key_fingerprint: server.host_key_fingerprint,
          host_key_type: server.host_key_type,
          sshd_config: d.config,
        },
        auth: { type: 'password' as const, password: d.user.password },
        keypairName: 'kpA',
        publicKey: keys.A.publicKey,
        proofKey: keys.A.privateKey,
        disablePassword: false,
      };
      let replaced = false;
      const err = await bind(plan, {
        signal: controller.signal,
        step: (name, path) => {
          if (name === 'renamed' && path === file) {
            replaced = readFileSync(file).length > foreign.length;
            controller.abort();
          }
        },
      }).catch((e: unknown) => e);
      expect(replaced).toBe(true);
      expect(err).toBeInstanceOf(TaskFailure);
      expect((err as TaskFailure).code).toBe(TaskFailures.Cancelled);
      expect(readFileSync(file).equals(foreign)).toBe(true);
      expect(readdirSync(join(d.user.home, '.ssh')).filter((f) => f.includes('keyhold-tmp'))).toEqual([]);
      expect(await canLogin(d.port, d.user.name, { privateKey: keys.A.privateKey })).toBe(false);
    },
    60_000,
  );
});
