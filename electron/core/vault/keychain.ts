/**
 * "Remember on this device": a device secret kept in the OS keychain. The CLI and server use
 * @napi-rs/keyring; the Electron shell supplies a safeStorage-backed implementation of the same
 * interface; tests supply an in-memory one.
 */
import { Entry } from '@napi-rs/keyring';

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
      return new Entry(SERVICE, account).getPassword() ?? null;
    } catch {
      // No keychain on this session (headless Linux without a Secret Service): nothing remembered.
      return null;
    }
  }
  set(account: string, secret: string): void {
    new Entry(SERVICE, account).setPassword(secret);
  }
  delete(account: string): void {
    try {
      new Entry(SERVICE, account).deletePassword();
    } catch {
      // Already absent.
    }
  }
}
