/** KPS key pairs as the registry sees them, with their default key `kps/default`. */
import { serviceModule } from '../../../shared/operations/index.js';
import { kpsOperations } from '../../../shared/operations/kps.js';
import type { KmsContext } from '../kms/context.js';
import { kpsHandlers } from './service.js';

export const kpsModule = serviceModule<typeof kpsOperations, KmsContext>({
  declarations: kpsOperations,
  handlers: kpsHandlers,
  defaultKey: 'kps',
});
