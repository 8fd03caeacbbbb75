/** The face of the core that transports (CLI, server, Electron IPC) may use. */
export { Session, type Credentials, type Transport } from './session.js';
export { findOperation, listOperations, services, type RegisteredOperation } from './registry.js';
export { restoreVault } from './maintenance.js';
export { defaultVaultPath } from '../vault/location.js';
export { OsKeychain, type Keychain } from '../vault/keychain.js';
