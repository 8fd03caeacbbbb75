/**
 * `keyhold agent` for the CLI: started once, then calls need no password and answer exactly as
 * without the agent (output, errors, exit codes, relative file paths); sockets that are not the
 * user's own or not an agent are refused; a locked agent refuses at once; stop leaves no socket.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { kh, killAgent, runtimeDir, startAgent, type StartedAgent } from '../helpers/agent.js';
import { initVault, PROJECT_ROOT, tempDir, TEST_PASSWORD } from '../helpers/vault.js';

describe('keyhold agent and the CLI', () => {
  let vault: string;
  let runtime: string;
  let agent: StartedAgent;
  const started: number[] = [];

  beforeAll(() => {
    vault = initVault();
    runtime = runtimeDir();
    agent = startAgent({ vault, runtime });
    started.push(agent.pid);
  });

  afterAll(() => started.forEach(killAgent));

  it('start prints {"pid","socket","ssh_auth_sock"} on one line; sockets are 0600 in a 0700 directory; a second start finds the same agent', () => {
    expect(Object.keys(agent)).toEqual(['pid', 'socket', 'ssh_auth_sock']);
    expect(agent.socket.startsWith(join(runtime, 'keyhold'))).toBe(true);
    expect(statSync(join(runtime, 'keyhold')).mode & 0o777).toBe(0o700);
    for (const s of [agent.socket, agent.ssh_auth_sock]) expect(statSync(s).mode & 0o777).toBe(0o600);
    const again = kh(['agent', 'start'], { vault, runtime, password: TEST_PASSWORD });
    expect(again.stdout.trim().split('\n')).toHaveLength(1);
    expect(again.json).toEqual(agent);
    const sh = kh(['agent', 'start', '--sh'], { vault, runtime });
    expect(sh.stdout).toBe(`export KEYHOLD_AGENT_SOCK='${agent.socket}'; export SSH_AUTH_SOCK='${agent.ssh_auth_sock}';\n`);
    // Another spelling of the same vault (a symlinked directory) finds the same agent.
    const link = join(tempDir(), 'link');
    symlinkSync(join(vault, '..'), link);
    expect(kh(['agent', 'status'], { vault: join(link, 'vault.db'), runtime }).json).toMatchObject({ running: true, pid: agent.pid, locked: false });
  });

  it('gives the same output, errors and exit codes as without it, and needs no password', () => {
    const local = { vault, runtime: runtimeDir(), password: TEST_PASSWORD };
    const viaDefault = { vault, runtime };
    const viaEnv = { vault, runtime: runtimeDir(), env: { KEYHOLD_AGENT_SOCK: agent.socket } };
    const key = (kh(['kms', 'create-key', '--key-alias', 'same'], local).json as { key_info: { key_id: string } }).key_info.key_id;
    const signer = (
      kh(['kms', 'create-key', '--key-alias', 'signer', '--key-spec', 'EC_P256', '--key-usage', 'SIGN_VERIFY'], local).json as { key_info: { key_id: string } }
    ).key_info.key_id;
    const ct = (kh(['kms', 'encrypt-data', '--key-id', key, '--plain-text', 'hello'], local).json as { cipher_text: string }).cipher_text;
    // One working directory per way of running, with the same files: relative paths must mean the caller's directory.
    const seed = tempDir();
    writeFileSync(join(seed, 'doc'), 'a document\n'.repeat(1000));
    expect(kh(['file', 'encrypt', '--key-id', key, '--in', 'doc', '--out', 'doc.khef'], { ...local, cwd: seed }).status).toBe(0);
    expect(kh(['file', 'sign', '--key-id', signer, '--in', 'doc', '--out', 'doc.sig'], { ...local, cwd: seed }).status).toBe(0);
    writeFileSync(join(seed, 'changed'), 'another document\n');
    const calls: string[][] = [
      ['kms', 'list-keys'],
      ['kms', 'describe-key', '--key-id', key],
      ['kms', 'describe-key', '--key-id', '00000000-0000-0000-0000-000000000000'],
      ['kms', 'describe-key', '--key-id', 'not-a-key-id'],
      ['kms', 'decrypt-data', '--cipher-text', ct],
      ['--output', 'text', 'kms', 'decrypt-data', '--cipher-text', ct],
      ['kms', 'encrypt-data', '--plain-text', 'x'],
      ['kps', 'list-keypairs'],
      ['ssh-agent', 'list-keys'],
      ['file', 'decrypt', '--in', 'doc.khef', '--out', 'doc.out'],
      ['file', 'decrypt', '--in', 'missing.khef', '--out', 'x.out'],
      ['file', 'verify', '--in', 'doc', '--signature', 'doc.sig'],
      ['file', 'verify', '--in', 'changed', '--signature', 'doc.sig'],
    ];
    const dirs = [local, viaDefault, viaEnv].map(() => {
      const d = tempDir();
      for (const f of readdirSync(seed)) copyFileSync(join(seed, f), join(d, f));
      return d;
    });
    for (const args of calls) {
      const [a, b, c] = [local, viaDefault, viaEnv].map((how, i) => kh(args, { ...how, cwd: dirs[i] }));
      const shape = (r: typeof a) => ({ status: r?.status, stdout: r?.stdout, stderr: r?.stderr });
      expect(shape(b), args.join(' ')).toEqual(shape(a));
      expect(shape(c), args.join(' ')).toEqual(shape(a));
    }
    for (const d of dirs) expect(existsSync(join(d, 'doc.out'))).toBe(true);
    // The calls above without a password really went through the agent, audited as such.
    const events = kh(['audit', 'list-events', '--limit', '100'], viaDefault).json as { events: { transport: string; operation: string }[] };
    expect(events.events.filter((e) => e.transport === 'agent').map((e) => e.operation)).toEqual(
      expect.arrayContaining(['kms list-keys', 'file decrypt', 'file verify', 'kms describe-key']),
    );
  }, 600_000); // 40 CLI processes: minutes on a loaded 2-core machine

  it('refuses a listener that is not an agent, a socket of another user, and a socket directory open to others', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o700);
    const path = join(dir, 'fake.sock');
    const fake: Server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => fake.listen(path, r));
    try {
      const r = kh(['kms', 'list-keys'], { vault, runtime: runtimeDir(), password: TEST_PASSWORD, env: { KEYHOLD_AGENT_SOCK: path } });
      expect(r.status).toBe(2);
      expect(r.error?.error_code).toBe('AGENT.0202');
      expect(r.error?.error_msg).toContain(path);
      expect(r.stdout).toBe('');
      // The same socket, owned by another user (nobody): refused before connecting.
      chownSync(path, 65534, 65534);
      const other = kh(['kms', 'list-keys'], { vault, runtime: runtimeDir(), password: TEST_PASSWORD, env: { KEYHOLD_AGENT_SOCK: path } });
      expect(other.error?.error_code).toBe('AGENT.0201');
      expect(other.error?.error_msg).toContain('uid 65534');
      // The agent's own socket, once its directory is opened to others.
      chmodSync(join(runtime, 'keyhold'), 0o755);
      try {
        const open = kh(['kms', 'list-keys'], { vault, runtime });
        expect([open.status, open.error?.error_code]).toEqual([2, 'AGENT.0201']);
        expect(open.error?.error_msg).toContain('755');
      } finally {
        chmodSync(join(runtime, 'keyhold'), 0o700);
      }
    } finally {
      fake.close();
    }
  });

  it('a locked agent refuses calls at once with VAULT.0107; unlock serves them again', () => {
    expect(kh(['agent', 'lock'], { vault, runtime }).json).toEqual({ locked: true });
    const r = kh(['kms', 'list-keys'], { vault, runtime, password: TEST_PASSWORD });
    expect([r.status, r.error?.error_code]).toEqual([2, 'VAULT.0107']);
    expect(kh(['agent', 'status'], { vault, runtime }).json).toMatchObject({ locked: true });
    const wrong = kh(['agent', 'unlock'], { vault, runtime, password: 'wrong' });
    expect(wrong.error?.error_code).toBe('VAULT.0101');
    expect(kh(['agent', 'unlock'], { vault, runtime, password: TEST_PASSWORD }).json).toEqual({ locked: false });
    expect(kh(['kms', 'list-keys'], { vault, runtime }).status).toBe(0);
  });

  it('stop leaves no socket; calls then open the vault themselves', () => {
    const other = initVault();
    const rt = runtimeDir();
    const a = startAgent({ vault: other, runtime: rt });
    started.push(a.pid);
    expect(kh(['kms', 'list-keys'], { vault: other, runtime: rt }).status).toBe(0);
    // KEYHOLD_AGENT_SOCK naming the agent of another vault: passed over, the call opens its own vault.
    const elsewhere = kh(['kms', 'describe-key', '--key-id', '00000000-0000-0000-0000-000000000001'], {
      vault,
      runtime: runtimeDir(),
      password: TEST_PASSWORD,
      env: { KEYHOLD_AGENT_SOCK: a.socket },
    });
    expect(elsewhere.error?.error_code).toBe('KMS.0207');
    const last = kh(['audit', 'list-events', '--limit', '1', '--operation', 'kms describe-key'], { vault, runtime }).json as {
      events: { transport: string }[];
    };
    expect(last.events.map((e) => e.transport)).toEqual(['cli']);
    expect(kh(['agent', 'stop'], { vault: other, runtime: rt }).json).toEqual({ stopped: true, pid: a.pid });
    expect(existsSync(a.socket)).toBe(false);
    expect(existsSync(a.ssh_auth_sock)).toBe(false);
    expect(readdirSync(join(rt, 'keyhold')).filter((f) => f.endsWith('.sock'))).toEqual([]);
    const without = kh(['kms', 'list-keys'], { vault: other, runtime: rt });
    expect(without.error?.error_code).toBe('VAULT.0106');
    expect(kh(['kms', 'list-keys'], { vault: other, runtime: rt, password: TEST_PASSWORD }).status).toBe(0);
    expect(kh(['agent', 'stop'], { vault: other, runtime: rt }).error?.error_code).toBe('AGENT.0203');
    expect(kh(['agent', 'status'], { vault: other, runtime: rt }).json).toMatchObject({ running: false });
  });

  it('a wrong password starts nothing: VAULT.0101, exit 2, no socket', () => {
    const rt = runtimeDir();
    const r = kh(['agent', 'start'], { vault, runtime: rt, password: 'wrong' });
    expect([r.status, r.error?.error_code, r.stdout]).toEqual([2, 'VAULT.0101', '']);
    expect(readdirSync(join(rt, 'keyhold')).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });

  it('--foreground stays attached, prints the same line, and SIGTERM stops it and removes its sockets', async () => {
    const other = initVault();
    const rt = runtimeDir();
    const env: NodeJS.ProcessEnv = { ...process.env, KEYHOLD_VAULT: other, XDG_RUNTIME_DIR: rt, KEYHOLD_PASSWORD: TEST_PASSWORD };
    delete env.KEYHOLD_AGENT_SOCK;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'keyhold.mjs'), 'agent', 'start', '--foreground'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child.pid as number);
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
    });
    const info = JSON.parse(line) as StartedAgent;
    expect(info.pid).toBe(child.pid);
    expect(kh(['kms', 'list-keys'], { vault: other, runtime: rt }).status).toBe(0);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(info.socket)).toBe(false);
    expect(existsSync(info.ssh_auth_sock)).toBe(false);
  });

  it('without $XDG_RUNTIME_DIR, refuses a socket directory in the temp dir that another user made first', () => {
    const tmp = tempDir();
    const planted = join(tmp, `keyhold-${process.getuid?.()}`);
    mkdirSync(planted, { mode: 0o777 });
    chmodSync(planted, 0o777);
    chownSync(planted, 65534, 65534);
    const env = { TMPDIR: tmp, XDG_RUNTIME_DIR: '' };
    const r = kh(['agent', 'start'], { vault, runtime: '', password: TEST_PASSWORD, env });
    expect([r.status, r.error?.error_code]).toEqual([2, 'AGENT.0201']);
    expect(r.error?.error_msg).toContain(planted);
    expect(readdirSync(planted)).toEqual([]);
  });

  it('an agent whose socket file is removed (a runtime directory cleaned, a racing start) stops and leaves nothing', async () => {
    const other = initVault();
    const rt = runtimeDir();
    const a = startAgent({ vault: other, runtime: rt });
    started.push(a.pid);
    rmSync(a.socket);
    const alive = () => {
      try {
        process.kill(a.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 30_000;
    while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(alive()).toBe(false);
    expect(existsSync(a.ssh_auth_sock)).toBe(false);
  });
});
