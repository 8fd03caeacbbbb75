/** What secrets handlers need from the session that runs them. */
import type { KmsContext } from '../kms/context.js';

export interface SecretsContext extends KmsContext {
  /**
   * The vault, seen only as far as backup blobs need it: its id (named in a blob's header)
   * and its `backup` subkey (from the root key, so a restored copy of the vault has it too).
   */
  vault: { readonly header: { readonly vault_id: string }; subkey(purpose: 'backup'): Buffer };
}
