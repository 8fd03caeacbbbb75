/**
 * A throwaway sshd on 127.0.0.1 for the binding tests (recipe: shared toolchain-recipe §9), with
 * StrictModes on, password and key login, and two throwaway accounts with random passwords:
 * `user`, an ordinary user, and `admin`, a second uid-0 name (its own home and password) for
 * the sshd_config cases, so the machine's real root account is never touched. Needs root.
 * `stop()` kills sshd, deletes both accounts and the temp directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Client } from 'ssh2';

export const SSHD = '/usr/sbin/sshd';

export function canRunSshd(): boolean {
  return process.getuid?.() === 0 && existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');
}

export interface Account {
  name: string;
  home: string;
  password: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A key pair made by ssh-keygen (ed25519 by default): private key text and public line. */
export function sshKeygen(dir: string, name: string, args: string[] = ['-t', 'ed25519']): { privateKey: string; publicKey: string; path: string } {
  const path = join(dir, name);
  run('ssh-keygen', ['-q', ...args, '-N', '', '-C', `${name}@test`, '-f', path]);
  return { privateKey: readFileSync(path, 'utf8'), publicKey: readFileSync(`${path}.pub`, 'utf8').trim(), path };
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s: Socket = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class TestSshd {
  private child?: ChildProcess;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly config: string,
    readonly user: Account,
    readonly admin: Account,
  ) {}

  /** `sftp: false` starts it without an sftp subsystem, as hardened images run it. */
  static async start(opts: { sftp?: boolean } = {}): Promise<TestSshd> {
    const tag = randomBytes(4).toString('hex');
    const dir = mkdtempSync('/tmp/keyhold-sshd-');
    // Readable like /etc/ssh, so a login user can read sshd_config (the host key stays 0600).
    chmodSync(dir, 0o755);
    const port = await freePort();
    const user: Account = { name: `khu${tag}`, home: `/home/khu${tag}`, password: randomBytes(12).toString('base64url') };
    const admin: Account = { name: `khr${tag}`, home: `/home/khr${tag}`, password: randomBytes(12).toString('base64url') };
    run('useradd', ['-m', '-d', user.home, '-s', '/bin/sh', user.name]);
    mkdirSync(admin.home, { mode: 0o755 });
    run('useradd', ['-o', '-u', '0', '-g', '0', '-M', '-d', admin.home, '-s', '/bin/sh', admin.name]);
    run('chpasswd', [], `${user.name}:${user.password}\n${admin.name}:${admin.password}\n`);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_ed25519')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'AuthorizedKeysFile .ssh/authorized_keys',
        'PubkeyAuthentication yes',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes yes',
        'PermitRootLogin yes',
        `AllowUsers ${user.name} ${admin.name}`,
        ...(opts.sftp === false ? [] : ['Subsystem sftp internal-sftp']),
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const sshd = new TestSshd(dir, port, config, user, admin);
    sshd.child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.child.stderr?.on('data', (d: Buffer) => (sshd.log = (sshd.log + d.toString()).slice(-20_000)));
    await waitForPort(port);
    return sshd;
  }

  get pid(): number {
    return Number(readFileSync(join(this.dir, 'sshd.pid'), 'utf8').trim());
  }

  /** Makes sshd re-read its configuration and host keys, and waits until it listens again. */
  async reload(): Promise<void> {
    const before = this.pid;
    process.kill(before, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    await waitForPort(this.port);
  }

  /** Replaces the host key with a new one (a "changed host key"); returns a function that puts the old one back. */
  async changeHostKey(): Promise<() => Promise<void>> {
    const key = join(this.dir, 'host_ed25519');
    const saved = [readFileSync(key), readFileSync(`${key}.pub`)] as const;
    rmSync(key);
    rmSync(`${key}.pub`);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await this.reload();
    return async () => {
      writeFileSync(key, saved[0], { mode: 0o600 });
      writeFileSync(`${key}.pub`, saved[1]);
      await this.reload();
    };
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child?.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    for (const a of [this.user, this.admin]) {
      try {
        run('userdel', ['-f', a.name]);
      } catch {
        // already gone
      }
      rmSync(a.home, { recursive: true, force: true });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export type LoginAuth = { password: string } | { privateKey: string };

/** Whether `user` can log in right now (plain ssh2, independent of the code under test). */
export function canLogin(port: number, user: string, auth: LoginAuth): Promise<boolean> {
  return new Promise((resolve) => {
    const c = new Client();
    c.once('ready', () => {
      c.end();
      resolve(true);
    });
    c.on('error', () => resolve(false));
    c.connect({ host: '127.0.0.1', port, username: user, readyTimeout: 10_000, hostVerifier: () => true, tryKeyboard: false, ...auth });
  });
}

/** A TCP forwarder to `port` whose live connections a test can cut at any moment. */
export async function cuttableProxy(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  const listening = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
  return {
    port: listening,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
