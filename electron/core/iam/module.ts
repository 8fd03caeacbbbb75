/** Access keys as the registry sees them. */
import { serviceModule } from '../../../shared/operations/index.js';
import { iamOperations } from '../../../shared/operations/iam.js';
import { iamHandlers, type IamContext } from './access-keys.js';

export const iamModule = serviceModule<typeof iamOperations, IamContext>({
  declarations: iamOperations,
  handlers: iamHandlers,
});
