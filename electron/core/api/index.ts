/** The face of the core that transports (CLI, server, Electron IPC) may use. */
export { Session, type CallHooks, type Caller, type Credentials, type TaskOutcome } from './session.js';
export { bodySha256, parseAuthorization, parseSdkDate, verifySignature, signRequest, type SignableRequest } from '../remote/signer.js';
export { findOperation, listOperations, services, type RegisteredOperation } from './registry.js';
export { runOffline } from './offline.js';
export { restoreVault } from './maintenance.js';
export { defaultVaultPath } from '../vault/location.js';
export { OsKeychain, type Keychain } from '../vault/keychain.js';
