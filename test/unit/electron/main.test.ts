// The shell's wiring with a mocked Electron: the window gets the security module's settings and
// only app://keyhold/, IPC goes through the sender check to the vault, and an OS lock locks the
// vault and tells the window.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Listener } from '../../helpers/fake-electron.js';
import { tempDir } from '../../helpers/vault.js';

const m = await vi.hoisted(async () => (await import('../../helpers/fake-electron.js')).fakeElectron());
vi.mock('electron', () => m.electron);

const vault = join(tempDir(), 'vault.db');
const previous = process.env.KEYHOLD_VAULT;
const previousRuntime = process.env.XDG_RUNTIME_DIR;
process.env.KEYHOLD_VAULT = vault;
// The app serves the agent's sockets (desktop-agent.test.ts): here, in a directory of this test's own.
process.env.XDG_RUNTIME_DIR = tempDir();
afterAll(() => {
  if (previous === undefined) delete process.env.KEYHOLD_VAULT;
  else process.env.KEYHOLD_VAULT = previous;
  if (previousRuntime === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = previousRuntime;
});

await import('../../../electron/main.js');
await vi.waitFor(() => expect(m.windows).toHaveLength(1));

describe('Electron main process', () => {
  it('registers the app scheme and the sandbox before the app is ready, then hardens the session', () => {
    expect(m.order.indexOf('registerScheme')).toBeLessThan(m.order.indexOf('ready'));
    expect(m.order.indexOf('enableSandbox')).toBeLessThan(m.order.indexOf('ready'));
    expect(m.order).toContain('permissions');
    expect(m.order).toContain('handle:app');
  });

  it('opens one window on app://keyhold/ with the security module’s settings', () => {
    const [win] = m.windows;
    expect(win?.url).toBe('app://keyhold/index.html');
    expect(win?.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((win?.options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);
  });

  it('answers the app page over IPC, refuses others, and locks on an OS lock', async () => {
    const call = m.handlers.get('keyhold:call') as Listener;
    const frame = { url: 'app://keyhold/index.html' };
    const trusted = { sender: { mainFrame: frame }, senderFrame: frame };
    const status = (await call(trusted, { op: 'session.status', input: {} })) as { ok: boolean; value: { state: string; remember: { supported: boolean } } };
    expect(status.value.state).toBe('no-vault');
    // safeStorage reported basic_text: remembering is refused, with the reason.
    expect(status.value.remember.supported).toBe(false);
    const evil = { url: 'https://evil.example/' };
    expect(await call({ sender: { mainFrame: evil }, senderFrame: evil }, { op: 'session.create', input: { password: 'p' } })).toMatchObject({ ok: false });
    expect(existsSync(vault)).toBe(false);
    expect(await call(trusted, { op: 'session.create', input: { password: 'desktop password' } })).toMatchObject({ ok: true, value: { state: 'unlocked' } });
    expect(await call(trusted, { op: 'clipboard.write', input: { text: 'copied secret' } })).toMatchObject({ ok: true });
    expect(m.electron.clipboard.text).toBe('copied secret');
    (m.power.get('lock-screen') as Listener)();
    // Locking clears what Keyhold copied.
    await vi.waitFor(() => expect(m.electron.clipboard.text).toBe(''));
    await vi.waitFor(() => expect(m.windows[0]?.sent).toContainEqual(['keyhold:event', { type: 'locked', reason: 'os-lock' }]));
    expect(await call(trusted, { op: 'listKeys', input: {} })).toMatchObject({ ok: false, error: { code: 'VAULT.0107' } });
    expect(m.power.has('suspend')).toBe(true);
  });

  it('encrypts a file chosen in the OS dialogs and sends progress to the window', async () => {
    const call = m.handlers.get('keyhold:call') as Listener;
    const frame = { url: 'app://keyhold/index.html' };
    const trusted = { sender: { mainFrame: frame }, senderFrame: frame };
    expect(await call(trusted, { op: 'session.unlock', input: { password: 'desktop password' } })).toMatchObject({ ok: true });
    const created = (await call(trusted, { op: 'createKey', input: { key_alias: 'files' } })) as { value: { key_info: { key_id: string } } };
    const dir = tempDir();
    writeFileSync(join(dir, 'big.bin'), randomBytes(3 * 1024 * 1024));
    m.electron.dialog.next.push(join(dir, 'big.bin'), join(dir, 'big.bin.khenc'));
    const input = (await call(trusted, { op: 'dialog.open-file', input: { title: 't' } })) as { value: { token: string; name: string } };
    const output = (await call(trusted, { op: 'dialog.save-file', input: { title: 't', default_name: 'big.bin.khenc' } })) as {
      value: { token: string; name: string };
    };
    // The page gets a token and the name to show, never the path.
    expect(input.value.name).toBe('big.bin');
    expect(JSON.stringify([input, output])).not.toContain(dir);
    expect(await call(trusted, { op: 'dialog.open-file', input: { title: 't' } })).toEqual({ ok: true, value: { token: null, name: null } });
    // A path the page made up is refused, even the very file the user chose.
    expect(
      await call(trusted, { op: 'fileEncrypt', input: { key_id: created.value.key_info.key_id, in: join(dir, 'big.bin'), out: join(dir, 'other.khenc') } }),
    ).toMatchObject({ ok: false });
    const sentBefore = m.windows[0]?.sent.length ?? 0;
    const res = await call(trusted, { op: 'fileEncrypt', input: { key_id: created.value.key_info.key_id, in: input.value.token, out: output.value.token } });
    expect(res).toMatchObject({ ok: true, value: { bytes_in: 3 * 1024 * 1024 } });
    const progress = (m.windows[0]?.sent.slice(sentBefore) ?? [])
      .map((a) => a[1] as { type: string; done: number; total: number })
      .filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ op: 'fileEncrypt', done: 3 * 1024 * 1024, total: 3 * 1024 * 1024 });
    expect(existsSync(join(dir, 'big.bin.khenc'))).toBe(true);
  });

  it('leaves the clipboard alone when the user copied something else since', async () => {
    const call = m.handlers.get('keyhold:call') as Listener;
    const frame = { url: 'app://keyhold/index.html' };
    const trusted = { sender: { mainFrame: frame }, senderFrame: frame };
    await call(trusted, { op: 'clipboard.write', input: { text: 'ours' } });
    await m.electron.clipboard.writeText('the user’s own');
    expect(await call(trusted, { op: 'clipboard.clear', input: {} })).toEqual({ ok: true, value: { cleared: false } });
    expect(m.electron.clipboard.text).toBe('the user’s own');
  });
});
