// The thin components over their managers: labelled controls, what the user types reaches the
// client, and what the manager knows shows on screen.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ClipboardBar from './components/ClipboardBar.svelte';
import { browserClipboard, ClipboardManager } from './lib/clipboard.svelte.js';
import { scripted } from './testing/fake-transport.js';
import { SessionManager } from './lib/session.svelte.js';
import ConfirmButton from './components/ConfirmButton.svelte';
import Unlock from './screens/Unlock.svelte';
import KeyDetails from './components/KeyDetails.svelte';
import { KeysManager } from './lib/keys.svelte.js';
import type { KeyDetails as KeyInfo } from '../../shared/operations/index.js';

describe('Unlock screen', () => {
  it('first run: creates the vault with the typed password', async () => {
    const { client, calls } = scripted({
      'session.status': () => ({
        state: 'no-vault',
        vault_path: '/v.db',
        transport: 'ipc',
        remember: { supported: true },
        remembered: false,
        auto_lock_minutes: 5,
      }),
      'session.create': () => ({
        state: 'unlocked',
        vault_path: '/v.db',
        transport: 'ipc',
        remember: { supported: true },
        remembered: false,
        auto_lock_minutes: 5,
      }),
    });
    const session = new SessionManager(client);
    await session.refresh();
    render(Unlock, { session });
    expect(screen.getByRole('heading', { name: 'Create your vault' })).toBeInTheDocument();
    await fireEvent.input(screen.getByLabelText('Master password'), { target: { value: 'correct horse' } });
    await fireEvent.input(screen.getByLabelText('Repeat the master password'), { target: { value: 'correct horse' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create vault' }));
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.at(-1)).toEqual({ op: 'session.create', input: { password: 'correct horse' } });
    expect(session.state).toBe('unlocked');
  });

  it('offers device unlock only when this device remembers the vault', async () => {
    const { client } = scripted({
      'session.status': () => ({
        state: 'locked',
        vault_path: '/v.db',
        transport: 'ipc',
        remember: { supported: true },
        remembered: true,
        auto_lock_minutes: 5,
      }),
    });
    const session = new SessionManager(client);
    await session.refresh();
    render(Unlock, { session });
    expect(screen.getByRole('button', { name: 'Unlock with this device' })).toBeInTheDocument();
  });
});

describe('Clipboard bar', () => {
  it('shows the countdown and clears on "Clear now"', async () => {
    const writes: string[] = [];
    const clipboard = new ClipboardManager(browserClipboard({ writeText: async (t) => void writes.push(t) }));
    render(ClipboardBar, { clipboard });
    await clipboard.copy('secret', 'Password');
    expect(await screen.findByText(/Password copied/)).toBeInTheDocument();
    expect(screen.getByTestId('clipboard-seconds')).toHaveTextContent('30');
    await fireEvent.click(screen.getByRole('button', { name: 'Clear now' }));
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toEqual(['secret', '']);
    expect(screen.queryByTestId('clipboard-seconds')).not.toBeInTheDocument();
  });
});

describe('ConfirmButton', () => {
  it('acts only on the second, explicit press', async () => {
    let done = 0;
    render(ConfirmButton, { label: 'Delete key pair', question: 'Delete web-prod?', onconfirm: () => (done += 1) });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete key pair' }));
    expect(done).toBe(0);
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(done).toBe(0);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete key pair' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, delete key pair' }));
    expect(done).toBe(1);
  });
});

describe('KeyDetails', () => {
  const base: KeyInfo = {
    key_id: 'k1',
    domain_id: 'd',
    key_alias: 'app',
    realm: 'local',
    key_spec: 'AES_256',
    key_usage: 'ENCRYPT_DECRYPT',
    key_description: '',
    creation_date: '0',
    scheduled_deletion_date: '',
    key_state: '2',
    default_key_flag: '0',
    key_type: '1',
    expiration_time: '',
    origin: 'kms',
    key_rotation_enabled: 'false',
    sys_enterprise_project_id: '0',
    keystore_id: '0',
  };
  const clipboard = new ClipboardManager(browserClipboard({ writeText: async () => undefined }));

  it("names the key's store: Keyhold's own, or the PKCS#11 key store by id", () => {
    const keys = new KeysManager(scripted({}).client);
    const { unmount } = render(KeyDetails, { keys, key: base, clipboard });
    expect(screen.getByText("Keyhold's own (software)")).toBeInTheDocument();
    unmount();
    render(KeyDetails, { keys, key: { ...base, keystore_id: '3f0c1b9e-0000-4000-8000-000000000001' }, clipboard });
    expect(screen.getByText(/PKCS#11 token/)).toBeInTheDocument();
    expect(screen.getByText('3f0c1b9e-0000-4000-8000-000000000001')).toBeInTheDocument();
  });
});

describe('ErrorNote', () => {
  it('shows a failed call in words with its code beside them, and a screen refusal in words only', async () => {
    const { Fail } = await import('./testing/fake-transport.js');
    const { client } = scripted({ 'session.status': () => new Fail('VAULT.0107', 'The vault is locked.') });
    const session = new SessionManager(client);
    await session.refresh();
    const ErrorNote = (await import('./components/ErrorNote.svelte')).default;
    const shown = render(ErrorNote, { message: session.error, code: session.errorCode });
    expect(screen.getByRole('alert')).toHaveTextContent('The vault is locked. Unlock it to continue.VAULT.0107');
    expect(screen.getByTitle('Error code')).toHaveTextContent('VAULT.0107');
    shown.unmount();
    expect(await session.create('short', 'short')).toBe(false);
    render(ErrorNote, { message: session.error, code: session.errorCode });
    expect(screen.getByRole('alert')).toHaveTextContent(/^Choose a master password of at least 8 characters\.$/);
    expect(screen.queryByTitle('Error code')).toBeNull();
  });
});
