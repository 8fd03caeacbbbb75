/**
 * KMS as the registry sees it: its operations, its due work (deletions, expiries, rotations,
 * import tokens), its default key `kms/default`, and the only operations a grantee may call.
 */
import { serviceModule } from '../../../shared/operations/index.js';
import { kmsOperations } from '../../../shared/operations/kms.js';
import { GRANT_OPERATIONS } from '../../../shared/operations/kms/grants.js';
import { kmsDueTasks } from './maintenance.js';
import type { KmsContext } from './context.js';
import { kmsHandlers } from './service.js';

export const kmsModule = serviceModule<typeof kmsOperations, KmsContext>({
  declarations: kmsOperations,
  handlers: kmsHandlers,
  dueTasks: kmsDueTasks,
  defaultKey: 'kms',
  // A grantee access key may call only what a KMS grant can give it, on keys granted to it.
  callerPolicy: { granteeMay: GRANT_OPERATIONS },
});
