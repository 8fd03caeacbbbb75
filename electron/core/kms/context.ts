/** What KMS handlers need from the session that runs them. */
import type { HsmBackend, KeyHandle, WrappedKey } from '../hsm/backend.js';
import type { RecordStore } from '../vault/store.js';

export interface KmsContext {
  store: RecordStore;
  hsm: HsmBackend;
  /** Unwrapped handles by wrapped blob; dropped when the vault locks. */
  handles: Map<WrappedKey, KeyHandle>;
  domain: { domain_id: string; project_id: string; realm: string };
  now(): number;
}
