/** Every operation Keyhold knows, by service. Each service adds its declaration file here once. */
import type { z } from 'zod';
import type { OutputOf } from './define.js';
import { csmsOperations } from './csms.js';
import { fileOperations } from './file.js';
import { iamOperations } from './iam.js';
import { kmsOperations } from './kms.js';
import { kpsBindingOperations } from './kps-binding.js';
import { kpsOperations } from './kps.js';
import { remoteOperations } from './remote.js';
import { serversOperations } from './servers.js';
import { sshAgentOperations } from './ssh-agent.js';
import { vaultOperations } from './vault.js';

export const operations = {
  ...kmsOperations,
  ...csmsOperations,
  ...vaultOperations,
  ...iamOperations,
  ...remoteOperations,
  ...kpsOperations,
  ...serversOperations,
  ...kpsBindingOperations,
  ...fileOperations,
  ...sshAgentOperations,
};
export type OperationKey = keyof typeof operations;
/** What a caller passes for operation `K` (fields with defaults may be left out). */
export type OperationInput<K extends OperationKey> = z.input<(typeof operations)[K]['input']>;
/** What operation `K` returns. */
export type OperationOutput<K extends OperationKey> = OutputOf<(typeof operations)[K]>;

export * from './define.js';
export type { KeyDetails, KeyState } from './kms.js';
export type { AuditEvent, AuditLoss } from './vault.js';
export type { AccessKeyInfo } from './iam.js';
export type { RemoteInfo } from './remote.js';
export * from './phases.js';
export * from './service.js';
