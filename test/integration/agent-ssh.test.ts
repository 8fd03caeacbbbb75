/**
 * `keyhold agent` as ssh's agent, with the real OpenSSH tools against an sshd on 127.0.0.1:
 * offered hosted key pairs are listed in a stable order and log in (Ed25519, ECDSA P-256/384/521,
 * RSA with SHA-2); a key pair not offered is neither listed nor usable; a locked agent lists
 * nothing and refuses to sign at once; ssh-add of an outside key is refused; idle time locks it;
 * every signature is audited with its key pair and outcome, never the data.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenSSHAgent } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kh, killAgent, runtimeDir, startAgent, type StartedAgent } from '../helpers/agent.js';
import { canRunSshd, sshKeygen, TestSshd } from '../helpers/sshd.js';
import { initVault, tempDir, TEST_PASSWORD } from '../helpers/vault.js';

const OFFERED = ['ecdsa256', 'ecdsa384', 'ecdsa521', 'ed', 'rsa'] as const;
const ALGORITHMS: Record<string, string> = {
  ed: 'SSH_ED25519',
  rsa: 'SSH_RSA_3072',
  ecdsa256: 'SSH_ECDSA_256',
  ecdsa384: 'SSH_ECDSA_384',
  ecdsa521: 'SSH_ECDSA_521',
  hidden: 'SSH_ED25519',
  bound: 'SSH_ED25519',
  elsewhere: 'SSH_ED25519',
};
/** A host key fingerprint no server here has. */
const OTHER_HOST = `SHA256:${'A'.repeat(43)}`;

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input = '',
): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000, env: { PATH: process.env.PATH, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!canRunSshd())('keyhold agent with ssh, ssh-add and sshd', () => {
  let sshd: TestSshd;
  let vault: string;
  let runtime: string;
  let agent: StartedAgent;
  const pubFiles: Record<string, string> = {};
  const publicLines: Record<string, string> = {};
  const started: number[] = [];

  const login = (key: string, extra: string[] = []) =>
    run(
      'ssh',
      [
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
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `IdentityAgent=${agent.ssh_auth_sock}`,
        '-i',
        pubFiles[key] as string,
        '-p',
        String(sshd.port),
        ...extra,
        `${sshd.user.name}@127.0.0.1`,
        'echo logged-in',
      ],
      { SSH_AUTH_SOCK: agent.ssh_auth_sock },
    );
  const sshAdd = (args: string[], env: NodeJS.ProcessEnv = {}) => run('ssh-add', args, { SSH_AUTH_SOCK: agent.ssh_auth_sock, ...env });

  beforeAll(async () => {
    sshd = await TestSshd.start();
    vault = initVault();
    runtime = runtimeDir();
    const local = { vault, runtime, password: TEST_PASSWORD };
    const keysDir = tempDir();
    for (const [name, algorithm] of Object.entries(ALGORITHMS)) {
      const r = kh(['kps', 'create-keypair', '--keypair', JSON.stringify({ name, algorithm, key_protection: { encryption: { type: 'default' } } })], local);
      expect(r.status, r.stderr).toBe(0);
      publicLines[name] = (r.json as { keypair: { public_key: string } }).keypair.public_key;
      pubFiles[name] = join(keysDir, `${name}.pub`);
      writeFileSync(pubFiles[name], `${publicLines[name]}\n`);
    }
    for (const name of OFFERED) expect(kh(['ssh-agent', 'set-key', '--keypair-name', name, '--offered', 'true'], local).status).toBe(0);
    const hostKey = run('ssh-keygen', ['-lf', join(sshd.dir, 'host_ed25519.pub')]).stdout.split(' ')[1] as string;
    expect(kh(['ssh-agent', 'set-key', '--keypair-name', 'bound', '--offered', 'true', '--host-keys', JSON.stringify([hostKey])], local).status).toBe(0);
    expect(kh(['ssh-agent', 'set-key', '--keypair-name', 'elsewhere', '--offered', 'true', '--host-keys', JSON.stringify([OTHER_HOST])], local).status).toBe(0);
    // Every key, the hidden one included, may log in: only the agent decides what is offered.
    const ssh = join(sshd.user.home, '.ssh');
    mkdirSync(ssh, { mode: 0o700, recursive: true });
    writeFileSync(join(ssh, 'authorized_keys'), `${Object.values(publicLines).join('\n')}\n`, { mode: 0o600 });
    const { uid, gid } = statSync(sshd.user.home);
    chownSync(ssh, uid, gid);
    chownSync(join(ssh, 'authorized_keys'), uid, gid);
    agent = startAgent({ vault, runtime }, ['--idle-lock-seconds', '0']);
    started.push(agent.pid);
  });

  afterAll(async () => {
    started.forEach(killAgent);
    await sshd?.stop();
  });

  it('lists the offered key pairs in name order, and not the one left out', () => {
    const r = sshAdd(['-L']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual(OFFERED.map((n) => `${publicLines[n]} keyhold:${n}`));
    expect(r.stdout).not.toContain(publicLines.hidden?.split(' ')[1]);
  });

  it('logs in with each offered key type; RSA signs with SHA-2; the key left out cannot be used', () => {
    for (const key of OFFERED) {
      const r = login(key);
      expect([r.status, r.stdout.trim()], `${key}: ${r.stderr}\n${sshd.log.slice(-2000)}`).toEqual([0, 'logged-in']);
    }
    const hidden = login('hidden', ['-v']);
    expect(hidden.status).toBe(255);
    expect(hidden.stderr).toContain('Permission denied (publickey');
    const events = kh(['audit', 'list-events', '--limit', '50', '--operation', 'ssh-agent sign'], { vault, runtime }).json as {
      events: { transport: string; outcome: string; fields: Record<string, unknown> }[];
    };
    const rsa = events.events.filter((e) => e.fields.keypair_name === 'rsa');
    expect(rsa.length).toBeGreaterThan(0);
    // The flags ssh sent ask for rsa-sha2-256 (2) or rsa-sha2-512 (4); SHA-1 would be 0.
    for (const e of rsa) expect([2, 4]).toContain(e.fields.flags);
    const hostKey = run('ssh-keygen', ['-lf', join(sshd.dir, 'host_ed25519.pub')]).stdout.split(' ')[1];
    for (const e of events.events) {
      expect(e.transport).toBe('agent');
      // ssh bound each connection to the server (session-bind@openssh.com): its host key is audited, the data never.
      expect(e.fields).toEqual({ keypair_name: expect.any(String), flags: expect.any(Number), host_key: hostKey });
    }
    expect(events.events.map((e) => e.fields.keypair_name)).not.toContain('hidden');
  });

  it('a key bound to host keys is offered only to that server; never to a connection ssh did not bind', () => {
    expect(sshAdd(['-L']).stdout).not.toContain(publicLines.bound?.split(' ')[1]);
    // No IdentitiesOnly: ssh offers what the agent lists for this server, in the agent's order.
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
        '-o',
        'IdentityFile=/dev/null',
        '-p',
        String(sshd.port),
        `${sshd.user.name}@127.0.0.1`,
        'echo logged-in',
      ],
      { SSH_AUTH_SOCK: agent.ssh_auth_sock },
    );
    const offered = [...r.stderr.matchAll(/Will attempt key: keyhold:(\S+)/g)].map((m) => m[1]);
    expect(offered).toEqual(['bound', ...OFFERED]);
    expect(r.stdout.trim()).toBe('logged-in');
    expect(login('bound').stdout.trim()).toBe('logged-in');
    const elsewhere = login('elsewhere');
    expect(elsewhere.status).toBe(255);
    const events = kh(['audit', 'list-events', '--limit', '20', '--operation', 'ssh-agent sign'], { vault, runtime }).json as {
      events: { fields: Record<string, unknown> }[];
    };
    expect(events.events.map((e) => e.fields.keypair_name)).not.toContain('elsewhere');
  });

  it('refuses an RSA signature with SHA-1, and audits the refusal', async () => {
    const client = new OpenSSHAgent(agent.ssh_auth_sock);
    const keys = await new Promise<unknown[]>((resolve, reject) => client.getIdentities((err, k) => (err ? reject(err) : resolve(k ?? []))));
    const rsa = keys.find((k) => (k as { type: string }).type === 'ssh-rsa') as Parameters<OpenSSHAgent['sign']>[0];
    const refused = await new Promise<Error | undefined>((resolve) => client.sign(rsa, Buffer.from('data'), {}, (err) => resolve(err ?? undefined)));
    expect(refused?.message).toMatch(/failure|refused/i);
    const sha512 = await new Promise<Buffer>((resolve, reject) =>
      client.sign(rsa, Buffer.from('data'), { hash: 'sha512' }, (err, sig) => (err ? reject(err) : resolve(sig as Buffer))),
    );
    expect(sha512.length).toBe(384);
    const events = kh(['audit', 'list-events', '--limit', '5', '--operation', 'ssh-agent sign'], { vault, runtime }).json as {
      events: { outcome: string; fields: Record<string, unknown> }[];
    };
    expect(events.events.map((e) => [e.outcome, e.fields.flags])).toEqual(
      expect.arrayContaining([
        ['AGENT.0102', 0],
        ['success', 4],
      ]),
    );
  });

  it('refuses ssh-add of an outside key, saying where keys belong', () => {
    const outside = sshKeygen(tempDir(), 'outside');
    const r = sshAdd([outside.path]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('agent refused operation');
    const log = readFileSync(join(runtime, 'keyhold', `${agent.socket.split('/').pop()?.replace('.cli.sock', '')}.log`), 'utf8');
    expect(log).toContain('refused ssh-add of an outside key: keys belong in the vault');
    expect(sshAdd(['-L']).stdout).not.toContain(outside.publicKey.split(' ')[1]);
  });

  it('locked (keyhold agent lock, or ssh-add -x): lists nothing and refuses to sign at once; ssh-add -X with the master password unlocks', async () => {
    const client = new OpenSSHAgent(agent.ssh_auth_sock);
    const keys = await new Promise<unknown[]>((resolve, reject) => client.getIdentities((err, k) => (err ? reject(err) : resolve(k ?? []))));
    expect(keys.length).toBe(OFFERED.length);
    expect(kh(['agent', 'lock'], { vault, runtime }).json).toEqual({ locked: true });
    // A sign request for a key ssh saw before the lock: answered with failure, not held until an unlock.
    const refused = await new Promise<Error | undefined>((resolve) =>
      client.sign(keys[0] as Parameters<OpenSSHAgent['sign']>[0], Buffer.from('data'), { hash: 'sha256' }, (err) => resolve(err ?? undefined)),
    );
    expect(refused).toBeInstanceOf(Error);
    const list = sshAdd(['-l']);
    expect([list.status, list.signal, list.stdout.trim()]).toEqual([1, null, 'The agent has no identities.']);
    const r = login('ed');
    expect([r.status, r.signal]).toEqual([255, null]);
    expect(r.stderr).toContain('Permission denied');
    // ssh-add -X reads the master password through SSH_ASKPASS (no terminal here).
    const askpass = join(tempDir(), 'askpass');
    writeFileSync(askpass, `#!/bin/sh\necho '${TEST_PASSWORD}'\n`);
    chmodSync(askpass, 0o700);
    const env = { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
    expect(sshAdd(['-X'], env).status).toBe(0);
    expect(login('ed').status).toBe(0);
    expect(sshAdd(['-x'], env).status).toBe(0);
    expect(sshAdd(['-l']).stdout.trim()).toBe('The agent has no identities.');
    expect(kh(['agent', 'status'], { vault, runtime }).json).toMatchObject({ locked: true });
    expect(sshAdd(['-X'], { ...env, SSH_ASKPASS: '/bin/false' }).status).not.toBe(0);
    expect(kh(['agent', 'unlock'], { vault, runtime, password: TEST_PASSWORD }).json).toEqual({ locked: false });
    expect(login('ed').status).toBe(0);
  });

  it('locks itself after the idle time', async () => {
    const other = initVault();
    const rt = runtimeDir();
    const local = { vault: other, runtime: rt, password: TEST_PASSWORD };
    kh(
      ['kps', 'create-keypair', '--keypair', JSON.stringify({ name: 'idle', algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } })],
      local,
    );
    kh(['ssh-agent', 'set-key', '--keypair-name', 'idle', '--offered', 'true'], local);
    const a = startAgent({ vault: other, runtime: rt }, ['--idle-lock-seconds', '2']);
    started.push(a.pid);
    const list = () => run('ssh-add', ['-l'], { SSH_AUTH_SOCK: a.ssh_auth_sock }).stdout.trim();
    expect(list()).toContain('keyhold:idle');
    const until = Date.now() + 30_000;
    while (list() !== 'The agent has no identities.' && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    expect(list()).toBe('The agent has no identities.');
    expect(kh(['agent', 'status'], { vault: other, runtime: rt }).json).toMatchObject({ locked: true, idle_lock_seconds: 2 });
    // Locked, the agent refuses calls even with a password at hand; stopped, the CLI opens the vault itself.
    expect(kh(['kms', 'list-keys'], local).error?.error_code).toBe('VAULT.0107');
    expect(kh(['agent', 'stop'], { vault: other, runtime: rt }).status).toBe(0);
    const events = kh(['audit', 'list-events', '--limit', '5', '--operation', 'agent lock (idle)'], local).json as { events: { operation: string }[] };
    expect(events.events.map((e) => e.operation)).toEqual(['agent lock (idle)']);
  });
});
