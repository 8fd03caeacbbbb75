/**
 * Open connections to the tokens of a session's PKCS#11 key stores, by keystore_id. A token is
 * opened on first use and kept; one found gone (removed, session lost) is closed and opened
 * afresh on the next use, so a key store comes back by itself once its token does. Closed with
 * the session (the PINs they logged in with go with them).
 */
import { Pkcs11Token, type TokenConfig } from './pkcs11/token.js';

export class KeyStoreConnections {
  private readonly open = new Map<string, Pkcs11Token>();

  /** The store's token, logged in; each way of failing is a typed error (token.ts). */
  connect(config: TokenConfig): Pkcs11Token {
    const have = this.open.get(config.storeId);
    if (have?.usable) return have;
    if (have) this.disconnect(config.storeId);
    const token = Pkcs11Token.open(config);
    this.open.set(config.storeId, token);
    return token;
  }

  /** Whether the token answers now; the error says why not. Opens it if it was not open. */
  probe(config: TokenConfig): { available: true } | { available: false; error: unknown } {
    try {
      this.connect(config).ping();
      return { available: true };
    } catch (error) {
      return { available: false, error };
    }
  }

  disconnect(storeId: string): void {
    this.open.get(storeId)?.close();
    this.open.delete(storeId);
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.disconnect(id);
  }
}
