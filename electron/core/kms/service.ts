/** Every KMS operation's implementation, by group; the registry binds them to shared/operations/kms.ts. */
import type { Handlers } from '../../../shared/operations/index.js';
import type { kmsOperations } from '../../../shared/operations/kms.js';
import { asymmetricHandlers } from './asymmetric.js';
import type { KmsContext } from './context.js';
import { dataHandlers } from './data.js';
import { grantHandlers } from './grants.js';
import { importHandlers } from './import.js';
import { keyStoreHandlers } from './keystore-ops.js';
import { lifecycleHandlers } from './lifecycle.js';
import { rotationHandlers } from './rotation.js';
import { tagHandlers } from './tags.js';

export const kmsHandlers: Handlers<typeof kmsOperations, KmsContext> = {
  ...lifecycleHandlers,
  ...dataHandlers,
  ...asymmetricHandlers,
  ...rotationHandlers,
  ...importHandlers,
  ...grantHandlers,
  ...tagHandlers,
  ...keyStoreHandlers,
};
