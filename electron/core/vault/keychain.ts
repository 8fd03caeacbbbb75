/**
 * "Remember on this device": a device secret kept in the OS keychain. The CLI and server use
 * @napi-rs/keyring; the Electron shell supplies a safeStorage-backed implementation of the same
 * interface; tests supply an in-memory one.
 */
import { createRequire } from 'node:module';
import type { Entry as KeyringEntry } from '@napi-rs/keyring';

/** Loaded on first use: only "remember on this device" needs it, and the native module costs ~9 MB of RSS. */
let EntryClass: typeof KeyringEntry | undefined;
function entry(service: string, account: string): KeyringEntry {
  EntryClass ??= (createRequire(import.meta.url)('@napi-rs/keyring') as { Entry: typeof KeyringEntry }).Entry;
  return new EntryClass(service, account);
}

export interface Keychain {
  get(account: string): string | null;
  set(account: string, secret: string): void;
  delete(account: string): void;
}

const SERVICE = 'keyhold-vault';

/** The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager). */
export class OsKeychain implements Keychain {
  get(account: string): string | null {
    try {
      return entry(SERVICE, account).getPassword() ?? null;
    } catch {
      // No keychain on this session (headless Linux without a Secret Service): nothing remembered.
      return null;
    }
  }
  set(account: string, secret: string): void {
    entry(SERVICE, account).setPassword(secret);
  }
  delete(account: string): void {
    try {
      entry(SERVICE, account).deletePassword();
    } catch {
      // Already absent.
    }
  }
}
