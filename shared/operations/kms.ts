/**
 * KMS operations: names, request schemas and response shapes of the cloud
 * (reference/huawei-dew-api.md §4, §11.1). Numbers the cloud sends as strings stay strings.
 * Declared by group in ./kms/; this file is the one map the registry reads.
 */
import { asymmetricOperations } from './kms/asymmetric.js';
import { dataOperations } from './kms/data.js';
import { grantOperations } from './kms/grants.js';
import { importOperations } from './kms/import.js';
import { keyStoreOperations } from './kms/keystores.js';
import { lifecycleOperations } from './kms/lifecycle.js';
import { rotationOperations } from './kms/rotation.js';
import { tagOperations } from './kms/tags.js';

export { asymmetricOperations, dataOperations, grantOperations, importOperations, keyStoreOperations, lifecycleOperations, rotationOperations, tagOperations };
export type { KeyDetails, KeyState } from './kms/common.js';
export type { Grant, GrantList } from './kms/grants.js';
export type { KeyStoreInfo } from './kms/keystores.js';
export type { Quotas } from './kms/lifecycle.js';
export type { TagItem } from './kms/tags.js';

export const kmsOperations = {
  ...lifecycleOperations,
  ...dataOperations,
  ...asymmetricOperations,
  ...rotationOperations,
  ...importOperations,
  ...grantOperations,
  ...tagOperations,
  ...keyStoreOperations,
} as const;
