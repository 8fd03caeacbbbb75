/**
 * The desktop app as the agent, with a mocked Electron and the real OpenSSH tools: the shell
 * serves the agent's sockets for its vault; `ssh-keygen -Y sign` through SSH_AUTH_SOCK is put to
 * the user in the main process's dialog (key pair, fingerprint, the program asking, read from
 * the kernel's socket table), and deny / allow once / allow for this session each do what they
 * say and are audited; an OS lock (powerMonitor 'lock-screen') locks the agent with the app, and
 * an approval for the session ends with it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { agentPaths } from '../../../electron/agent/paths.js';
import type { Listener } from '../../helpers/fake-electron.js';
import { tempDir } from '../../helpers/vault.js';

const m = await vi.hoisted(async () => (await import('../../helpers/fake-electron.js')).fakeElectron());
vi.mock('electron', () => m.electron);

const dir = tempDir();
const vault = join(dir, 'vault.db');
const saved = { vault: process.env.KEYHOLD_VAULT, runtime: process.env.XDG_RUNTIME_DIR };
process.env.KEYHOLD_VAULT = vault;
process.env.XDG_RUNTIME_DIR = tempDir();
afterAll(() => {
  for (const [k, v] of [
    ['KEYHOLD_VAULT', saved.vault],
    ['XDG_RUNTIME_DIR', saved.runtime],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

await import('../../../electron/main.js');
await vi.waitFor(() => expect(m.windows).toHaveLength(1));

const run = promisify(execFile);
/** A real tool, run without blocking this process: the agent answering it lives here. */
async function tool(cmd: string, args: string[], sock: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(cmd, args, { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: sock }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('the desktop app as the agent', () => {
  const call = (op: string, input: unknown) => {
    const frame = { url: 'app://keyhold/index.html' };
    return (m.handlers.get('keyhold:call') as Listener)({ sender: { mainFrame: frame }, senderFrame: frame }, { op, input }) as Promise<{
      ok: boolean;
      value: unknown;
      error?: { code: string };
    }>;
  };
  const paths = agentPaths(vault);
  const pub = join(dir, 'desk.pub');
  const message = join(dir, 'message.txt');
  const sign = () => {
    // ssh-keygen would ask before overwriting an earlier signature.
    rmSync(`${message}.sig`, { force: true });
    return tool('ssh-keygen', ['-Y', 'sign', '-f', pub, '-n', 'file', message], paths.ssh);
  };
  const confirmations = async (n: number) => {
    const r = await call('auditListEvents', { operation: 'ssh-agent sign', limit: n });
    return (r.value as { events: { outcome: string; fields: Record<string, unknown> }[] }).events.map((e) => [e.outcome, e.fields.confirmation]);
  };

  it('serves the sockets of its vault; ssh-add sees the offered key while the app is unlocked', async () => {
    await vi.waitFor(() => expect(existsSync(paths.ssh)).toBe(true), { timeout: 10_000 });
    expect((await tool('ssh-add', ['-l'], paths.ssh)).stdout.trim()).toBe('The agent has no identities.');
    expect(await call('session.create', { password: 'desktop password' })).toMatchObject({ ok: true });
    const created = await call('createKeypair', { keypair: { name: 'desk', algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } } });
    expect(created.ok).toBe(true);
    writeFileSync(pub, `${(created.value as { keypair: { public_key: string } }).keypair.public_key}\n`);
    writeFileSync(message, 'signed by the app\n');
    expect(await call('sshAgentSetKey', { keypair_name: 'desk', offered: true })).toMatchObject({ ok: true });
    expect((await tool('ssh-add', ['-L'], paths.ssh)).stdout).toContain('keyhold:desk');
  });

  it('asks before each signature, naming the key pair, its fingerprint and the program; deny refuses', async () => {
    m.electron.dialog.answers.push(0);
    const denied = await sign();
    expect(denied.code).not.toBe(0);
    const asked = m.electron.dialog.asked.at(-1);
    expect(asked?.buttons).toEqual(['Deny', 'Allow once', 'Allow for this session']);
    expect(asked?.detail).toContain('Key pair: desk');
    expect(asked?.detail).toMatch(/Fingerprint: SHA256:/);
    expect(asked?.detail).toMatch(/Program: ssh-keygen -Y sign -f \S+desk\.pub/);
    m.electron.dialog.answers.push(1);
    expect((await sign()).code).toBe(0);
    expect(existsSync(`${message}.sig`)).toBe(true);
    expect(await confirmations(2)).toEqual([
      ['success', 'allowed-once'],
      ['AGENT.0105', 'denied'],
    ]);
  });

  it('"allow for this session" asks no more until the vault locks; an OS lock locks the agent with the app', async () => {
    const before = m.electron.dialog.asked.length;
    m.electron.dialog.answers.push(2);
    expect((await sign()).code).toBe(0);
    expect((await sign()).code).toBe(0);
    expect(m.electron.dialog.asked.length).toBe(before + 1);
    expect(await confirmations(2)).toEqual([
      ['success', 'allowed-earlier-this-session'],
      ['success', 'allowed-for-session'],
    ]);

    (m.power.get('lock-screen') as Listener)();
    await vi.waitFor(async () => expect((await tool('ssh-add', ['-l'], paths.ssh)).stdout.trim()).toBe('The agent has no identities.'));
    // Locked: refused at once, nobody is asked.
    expect((await sign()).code).not.toBe(0);
    expect(m.electron.dialog.asked.length).toBe(before + 1);

    expect(await call('session.unlock', { password: 'desktop password' })).toMatchObject({ ok: true });
    m.electron.dialog.answers.push(1);
    expect((await sign()).code).toBe(0);
    expect(m.electron.dialog.asked.length).toBe(before + 2);
  });

  it('leaves a vault another agent already serves to that agent, and says so in the log', async () => {
    const { serveDesktopAgent } = await import('../../../electron/desktop-agent.js');
    const { Workspace } = await import('../../../electron/ui/workspace.js');
    const second = serveDesktopAgent(new Workspace(vault, { transport: 'ipc', keychain: null, remember: { supported: false } }));
    expect(await second.started).toBe(false);
    expect(readFileSync(paths.log, 'utf8')).toMatch(/the app does not serve the agent's sockets: An agent \(pid \d+\) already serves/);
    await second.stop();
    // The first one still serves.
    expect((await tool('ssh-add', ['-l'], paths.ssh)).stdout).toContain('keyhold:desk');
  });
});
