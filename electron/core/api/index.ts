/** The face of the core that transports (CLI, server, Electron IPC) may use. */
export { Session, type Credentials } from './session.js';
export type { CallHooks, Caller, TaskOutcome } from './call.js';
export { bodySha256, parseAuthorization, parseSdkDate, verifySignature, signRequest, type SignableRequest } from '../remote/signer.js';
export { findOperation, listOperations, operationByKey, services, type RegisteredOperation } from './registry.js';
export { runOffline } from './offline.js';
export { admit, offeredOver, type Origin } from './admission.js';
export { restoreVault } from './maintenance.js';
export { defaultVaultPath } from '../vault/location.js';
export { OsKeychain, type Keychain } from '../vault/keychain.js';
