/** What KMS handlers need from the session that runs them. */
import type { HsmBackend, KeyHandle, WrappedKey } from '../hsm/backend.js';
import type { KeyStoreConnections } from '../hsm/key-stores.js';
import type { RecordStore } from '../vault/store.js';

export interface KmsContext {
  store: RecordStore;
  hsm: HsmBackend;
  /** Open tokens of PKCS#11 key stores (keystores.ts); absent where there are none to reach. */
  keyStores?: KeyStoreConnections;
  /** Unwrapped handles by wrapped blob; dropped when the vault locks. */
  handles: Map<WrappedKey, KeyHandle>;
  domain: { domain_id: string; project_id: string; realm: string };
  now(): number;
  /**
   * Who calls over HTTP (absent for the local owner). A `grantee` access key may use a key only
   * for the operations a grant gives its access key id (checked where a key is looked up).
   */
  caller?: { access_key: string; role: 'owner' | 'grantee' } | null;
  /** The operation being run, by its cloud name (`encrypt-data`), for grant checks. */
  operation?: string;
}
