// The UI's view of the vault: first run, unlock by password or remembered device, auto-lock
// after idle time (any call resets it), and the lock event the shell forwards to the window.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UiEvent } from '../../../shared/ui/contract.js';
import { dispatchUiCall } from '../../../electron/ui/bridge.js';
import { Workspace } from '../../../electron/ui/workspace.js';
import { FakeKeychain } from '../../helpers/fake-keychain.js';
import { tempDir } from '../../helpers/vault.js';

function workspace(keychain: FakeKeychain | null = new FakeKeychain()) {
  const ws = new Workspace(join(tempDir(), 'vault.db'), { transport: 'ipc', keychain, remember: { supported: keychain !== null }, kdfTargetMs: 10 });
  const events: UiEvent[] = [];
  ws.onEvent((e) => events.push(e));
  return { ws, events };
}

afterEach(() => vi.useRealTimers());

describe('Workspace', () => {
  it('goes no-vault → unlocked → locked, and refuses operations while locked', async () => {
    const { ws, events } = workspace();
    expect(ws.status().state).toBe('no-vault');
    await ws.create('first password');
    expect(ws.status().state).toBe('unlocked');
    await expect(ws.create('again')).rejects.toThrow(/already unlocked/);
    await ws.lock('user');
    expect(ws.status().state).toBe('locked');
    expect(events).toEqual([{ type: 'unlocked' }, { type: 'locked', reason: 'user' }]);
    await expect(dispatchUiCall(ws, 'listKeys', {}, 'ipc')).rejects.toMatchObject({ code: 'VAULT.0107' });
    await expect(ws.unlock('wrong')).rejects.toMatchObject({ code: 'VAULT.0101' });
    await ws.unlock('first password');
    // The first KMS call makes kms/default, as the cloud does.
    expect(
      ((await dispatchUiCall(ws, 'listKeys', { key_spec: 'ALL' }, 'ipc')) as { key_details: { key_alias: string }[] }).key_details.map((k) => k.key_alias),
    ).toEqual(['kms/default']);
    await ws.lock('user');
  });

  it('locks itself after the idle time; calls count as activity', async () => {
    const { ws, events } = workspace();
    await ws.create('first password');
    vi.useFakeTimers();
    ws.setAutoLock(1);
    await vi.advanceTimersByTimeAsync(45_000);
    await dispatchUiCall(ws, 'session.status', {}, 'ipc');
    await vi.advanceTimersByTimeAsync(45_000);
    expect(ws.unlocked).toBe(true);
    await vi.advanceTimersByTimeAsync(16_000);
    expect(ws.unlocked).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'locked', reason: 'idle' });
    expect(() => ws.setAutoLock(0)).toThrow(/1 to 120 minutes/);
  });

  it('remembers this device, unlocks without the password, and forgets', async () => {
    const keychain = new FakeKeychain();
    const { ws } = workspace(keychain);
    await ws.create('first password');
    expect((await ws.remember()).remembered).toBe(true);
    await ws.lock('user');
    expect((await ws.statusWithRemembered()).remembered).toBe(true);
    expect((await ws.unlockWithDevice()).state).toBe('unlocked');
    await ws.forget();
    await ws.lock('user');
    expect((await ws.statusWithRemembered()).remembered).toBe(false);
    await expect(ws.unlockWithDevice()).rejects.toThrow(/does not remember/);
  });

  it('unknown operations and file-path operations over HTTP are refused; access-key changes need the master password again', async () => {
    const { ws } = workspace(null);
    await ws.create('first password');
    await expect(dispatchUiCall(ws, 'rm -rf', {}, 'ipc')).rejects.toMatchObject({ code: 'CLI.0001' });
    await expect(dispatchUiCall(ws, 'vaultBackup', { out: '/tmp/x' }, 'http')).rejects.toMatchObject({ status: 403 });
    await expect(dispatchUiCall(ws, 'exportPrivateKey', { keypair: { name: 'k' }, out: '/tmp/k.pem' }, 'http')).rejects.toThrow(/names a local file/);
    // Access keys outlive a UI session: a change needs the master password again, over either transport.
    for (const transport of ['http', 'ipc'] as const) {
      await expect(dispatchUiCall(ws, 'createAccessKey', {}, transport)).rejects.toMatchObject({ code: 'VAULT.0106' });
      await expect(dispatchUiCall(ws, 'createAccessKey', { current_password: 'not the password' }, transport)).rejects.toMatchObject({ code: 'VAULT.0101' });
    }
    expect(((await dispatchUiCall(ws, 'listAccessKeys', {}, 'http')) as { credentials: unknown[] }).credentials).toEqual([]);
    const made = (await dispatchUiCall(ws, 'createAccessKey', { current_password: 'first password', description: 'from a browser' }, 'http')) as {
      credential: { access: string; status: string };
    };
    expect(made.credential.status).toBe('active');
    await expect(dispatchUiCall(ws, 'updateAccessKey', { access: made.credential.access, status: 'inactive' }, 'http')).rejects.toMatchObject({
      code: 'VAULT.0106',
    });
    await expect(dispatchUiCall(ws, 'deleteAccessKey', { access: made.credential.access }, 'ipc')).rejects.toMatchObject({ code: 'VAULT.0106' });
    await dispatchUiCall(ws, 'deleteAccessKey', { access: made.credential.access, current_password: 'first password' }, 'ipc');
    expect(((await dispatchUiCall(ws, 'listAccessKeys', {}, 'ipc')) as { credentials: unknown[] }).credentials).toEqual([]);
    await expect(ws.remember()).rejects.toMatchObject({ code: 'KEYHOLD.0001' });
    await ws.lock('user');
  });
});
