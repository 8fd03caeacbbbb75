/**
 * Host patterns with the real OpenSSH client against an sshd on 127.0.0.1: ssh binds each
 * connection to the server's host key (session-bind@openssh.com); the agent lists and signs with
 * a pattern-bound key only when the user's records name that host key by a matching name —
 * first a known_hosts hashed by `ssh-keygen -H` (a literal pattern matches, a wildcard cannot),
 * then the server pinned in Keyhold (`servers pin-host-key`, wildcards match its address). A key
 * bound to another host is neither offered nor usable, a negated pattern excludes, a connection
 * without a bind (`ssh-add -L`) sees no bound key, and every signature's audit entry names the
 * pattern that admitted the server.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kh, killAgent, runtimeDir, startAgent, type StartedAgent } from '../helpers/agent.js';
import { canRunSshd, TestSshd } from '../helpers/sshd.js';
import { initVault, tempDir, TEST_PASSWORD } from '../helpers/vault.js';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!canRunSshd())('keyhold agent: keys bound to host patterns, with ssh and sshd', () => {
  let sshd: TestSshd;
  let vault: string;
  let runtime: string;
  let home: string;
  let agent: StartedAgent;
  let hostKey: string;
  const pubFiles: Record<string, string> = {};

  /** Which agent keys ssh will try for 127.0.0.1 (ssh lists them all before trying), and whether it logged in. */
  const connect = (key?: string) => {
    const only = key ? ['-o', 'IdentitiesOnly=yes', '-i', pubFiles[key] as string] : ['-o', 'IdentityFile=/dev/null'];
    const r = run(
      'ssh',
      [
        '-v',
        '-F',
        '/dev/null',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'BatchMode=yes',
        '-o',
        'PreferredAuthentications=publickey',
        ...only,
        '-p',
        String(sshd.port),
        `${sshd.user.name}@127.0.0.1`,
        'echo logged-in',
      ],
      { SSH_AUTH_SOCK: agent.ssh_auth_sock },
    );
    return { tried: [...r.stderr.matchAll(/Will attempt key: keyhold:(\S+)/g)].map((m) => m[1]), loggedIn: r.stdout.trim() === 'logged-in', stderr: r.stderr };
  };
  const signEvents = (limit: number) =>
    (
      kh(['audit', 'list-events', '--limit', String(limit), '--operation', 'ssh-agent sign'], { vault, runtime }).json as {
        events: { outcome: string; fields: Record<string, unknown> }[];
      }
    ).events;

  beforeAll(async () => {
    sshd = await TestSshd.start();
    vault = initVault();
    runtime = runtimeDir();
    home = tempDir();
    const local = { vault, runtime, password: TEST_PASSWORD };
    const keysDir = tempDir();
    const lines: string[] = [];
    const hosts: Record<string, string | undefined> = {
      free: undefined,
      literal: `[127.0.0.1]:${sshd.port}`,
      wild: '127.0.0.*',
      elsewhere: 'build.example.com,*.corp.example',
      negated: '*,!127.0.0.1',
    };
    for (const [name, patterns] of Object.entries(hosts)) {
      const r = kh(
        ['kps', 'create-keypair', '--keypair', JSON.stringify({ name, algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } })],
        local,
      );
      expect(r.status, r.stderr).toBe(0);
      const line = (r.json as { keypair: { public_key: string } }).keypair.public_key;
      lines.push(line);
      pubFiles[name] = join(keysDir, `${name}.pub`);
      writeFileSync(pubFiles[name], `${line}\n`);
      const set = kh(['ssh-agent', 'set-key', '--keypair-name', name, '--offered', 'true', ...(patterns ? ['--hosts', patterns] : [])], local);
      expect(set.status, set.stderr).toBe(0);
    }
    // Every key may log in on the server: only the agent decides which one ssh gets to use.
    const ssh = join(sshd.user.home, '.ssh');
    mkdirSync(ssh, { mode: 0o700, recursive: true });
    writeFileSync(join(ssh, 'authorized_keys'), `${lines.join('\n')}\n`, { mode: 0o600 });
    const { uid, gid } = statSync(sshd.user.home);
    chownSync(ssh, uid, gid);
    chownSync(join(ssh, 'authorized_keys'), uid, gid);

    // The agent's user knows the server from a known_hosts entry, hashed as HashKnownHosts writes it.
    const hostPub = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    hostKey = run('ssh-keygen', ['-lf', join(sshd.dir, 'host_ed25519.pub')]).stdout.split(' ')[1] as string;
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    const knownHosts = join(home, '.ssh', 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${hostPub}\n`);
    expect(run('ssh-keygen', ['-H', '-f', knownHosts]).status).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|/);
    agent = startAgent({ vault, runtime, env: { HOME: home } }, ['--idle-lock-seconds', '0']);
  });

  afterAll(async () => {
    killAgent(agent?.pid);
    await sshd?.stop();
  });

  it('known_hosts (hashed): the literal pattern admits the server, a wildcard cannot, other hosts never', () => {
    const all = connect();
    expect(all.tried, all.stderr).toEqual(['free', 'literal']);
    expect(all.loggedIn).toBe(true);
    const literal = connect('literal');
    expect(literal.loggedIn, literal.stderr).toBe(true);
    for (const key of ['wild', 'elsewhere', 'negated']) expect(connect(key).loggedIn, key).toBe(false);
    // ssh-add binds nothing: a bound key is not listed to it.
    const listed = run('ssh-add', ['-L'], { SSH_AUTH_SOCK: agent.ssh_auth_sock }).stdout;
    expect(
      listed
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[2]),
    ).toEqual(['keyhold:free']);
    const events = signEvents(10);
    expect(events[0]).toMatchObject({ outcome: 'success', fields: { keypair_name: 'literal', host_key: hostKey, host_pattern: `[127.0.0.1]:${sshd.port}` } });
    expect(events.map((e) => e.fields.keypair_name)).not.toContain('elsewhere');
  });

  it("pinned in Keyhold: wildcards match the server's address; a negation excludes it", () => {
    const local = { vault, runtime };
    const added = kh(['servers', 'add', '--name', 'loopback', '--host', '127.0.0.1', '--port', String(sshd.port), '--user', sshd.user.name], local);
    expect(added.status, added.stderr).toBe(0);
    const id = (added.json as { server: { id: string } }).server.id;
    const pinned = kh(['servers', 'pin-host-key', '--id', id], local);
    expect(pinned.status, pinned.stderr).toBe(0);
    expect((pinned.json as { server: { host_key_fingerprint: string } }).server.host_key_fingerprint).toBe(hostKey);

    const all = connect();
    expect(all.tried, all.stderr).toEqual(['free', 'literal', 'wild']);
    const wild = connect('wild');
    expect(wild.loggedIn, wild.stderr).toBe(true);
    expect(connect('negated').loggedIn).toBe(false);
    expect(connect('elsewhere').loggedIn).toBe(false);
    expect(signEvents(1)[0]).toMatchObject({ outcome: 'success', fields: { keypair_name: 'wild', host_key: hostKey, host_pattern: '127.0.0.*' } });
  });
});
