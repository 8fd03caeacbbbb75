/** An in-memory Keychain: tests never need the OS keychain. */
import type { Keychain } from '../../electron/core/api/index.js';

export class FakeKeychain implements Keychain {
  readonly entries = new Map<string, string>();
  get(account: string): string | null {
    return this.entries.get(account) ?? null;
  }
  set(account: string, secret: string): void {
    this.entries.set(account, secret);
  }
  delete(account: string): void {
    this.entries.delete(account);
  }
}
