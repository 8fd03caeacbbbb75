/**
 * "Remember on this device" in the desktop app: the device secret encrypted with Electron's
 * safeStorage (Keychain on macOS, DPAPI on Windows, Secret Service/KWallet on Linux) and kept
 * in a small file beside the vault. On Linux without a keyring safeStorage falls back to
 * `basic_text`, a hard-coded key: that protects nothing, so remembering is refused there.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { safeStorage as SafeStorage } from 'electron';
import { KeyholdError, LocalErrors } from '../shared/errors.js';
import type { RememberSupport } from '../shared/ui/contract.js';
import type { Keychain } from './core/api/index.js';

type Storage = Pick<typeof SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

export const BASIC_TEXT_WARNING =
  'This system has no keyring (Electron would fall back to "basic_text", a key built into the app), so Keyhold will not remember the vault here. Install and unlock a Secret Service keyring (GNOME Keyring, KWallet) to use this.';

/** Call after the app is ready (the Linux backend is chosen then). */
export function rememberSupport(storage: Storage, platform: NodeJS.Platform = process.platform): RememberSupport {
  if (!storage.isEncryptionAvailable())
    return { supported: false, reason: 'This system offers no encrypted storage for the app, so Keyhold cannot remember the vault here.' };
  if (platform === 'linux' && storage.getSelectedStorageBackend() === 'basic_text') return { supported: false, reason: BASIC_TEXT_WARNING };
  return { supported: true };
}

export class SafeStorageKeychain implements Keychain {
  constructor(
    private readonly file: string,
    private readonly storage: Storage,
    private readonly support: RememberSupport,
  ) {}

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  private write(entries: Record<string, string>): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(entries), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  get(account: string): string | null {
    const sealed = this.read()[account];
    if (typeof sealed !== 'string') return null;
    try {
      return this.storage.decryptString(Buffer.from(sealed, 'base64'));
    } catch {
      // Sealed on another machine or under another OS user: nothing usable is remembered.
      return null;
    }
  }

  set(account: string, secret: string): void {
    if (!this.support.supported) throw new KeyholdError(LocalErrors.Unsupported, this.support.reason ?? 'Cannot remember the vault here.', 400);
    this.write({ ...this.read(), [account]: this.storage.encryptString(secret).toString('base64') });
  }

  delete(account: string): void {
    const entries = this.read();
    if (!(account in entries)) return;
    delete entries[account];
    this.write(entries);
  }
}
