// The shell's helpers: the IPC door refuses strangers, app:// stays inside the renderer folder,
// and "remember on this device" refuses safeStorage's basic_text fallback.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ app: {}, protocol: {} }));

const { handleCall } = await import('../../../electron/ipc.js');
const { resolveInside } = await import('../../../electron/ui/static-files.js');
const { BASIC_TEXT_WARNING, rememberSupport, SafeStorageKeychain } = await import('../../../electron/safe-storage-keychain.js');

function fakeStorage(backend: string, available = true) {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend as never,
    // A reversible stand-in for the OS cipher; the test checks that the file never holds the secret.
    encryptString: (s: string) => Buffer.from(`sealed:${Buffer.from(s).reverse().toString('hex')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice('sealed:'.length), 'hex').reverse().toString(),
  };
}

describe('IPC door', () => {
  it('refuses a call from a frame that is not the app page, without touching the vault', async () => {
    const ws = { run: vi.fn(), status: vi.fn() };
    const frame = { url: 'https://evil.example/' };
    const result = await handleCall(ws as never, { sender: { mainFrame: frame }, senderFrame: frame } as never, { op: 'session.status', input: {} });
    expect(result.ok).toBe(false);
    expect(ws.run).not.toHaveBeenCalled();
    expect(ws.status).not.toHaveBeenCalled();
  });
});

describe('app:// files', () => {
  it('resolves inside the renderer folder and refuses to leave it', () => {
    expect(resolveInside('/app/renderer', '/')).toBe('/app/renderer/index.html');
    expect(resolveInside('/app/renderer', '/assets/a.js')).toBe('/app/renderer/assets/a.js');
    expect(resolveInside('/app/renderer', '/../main.js')).toBeNull();
    expect(resolveInside('/app/renderer', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveInside('/app/renderer', '/a%00.js')).toBeNull();
    expect(resolveInside('/app/renderer', '/%E0%A4%A')).toBeNull();
  });
});

describe('remember on this device (safeStorage)', () => {
  it('refuses the basic_text backend on Linux and says why', () => {
    expect(rememberSupport(fakeStorage('basic_text'), 'linux')).toEqual({ supported: false, reason: BASIC_TEXT_WARNING });
    expect(rememberSupport(fakeStorage('gnome_libsecret'), 'linux')).toEqual({ supported: true });
    expect(rememberSupport(fakeStorage('unknown', false), 'darwin').supported).toBe(false);
    const kc = new SafeStorageKeychain(
      join(mkdtempSync(join(tmpdir(), 'kh-kc-')), 'k.json'),
      fakeStorage('basic_text'),
      rememberSupport(fakeStorage('basic_text'), 'linux'),
    );
    expect(() => kc.set('vault-1', 'secret')).toThrow(/no keyring/);
  });

  it('keeps only the sealed secret, in a 0600 file, and forgets it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kh-kc-')), 'k.json');
    const kc = new SafeStorageKeychain(file, fakeStorage('gnome_libsecret'), { supported: true });
    kc.set('vault-1', 'device-secret-value');
    expect(readFileSync(file, 'utf8')).not.toContain('device-secret-value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(kc.get('vault-1')).toBe('device-secret-value');
    expect(kc.get('vault-2')).toBeNull();
    kc.delete('vault-1');
    expect(kc.get('vault-1')).toBeNull();
  });
});
