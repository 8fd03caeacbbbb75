/** KPS's binding operations (associate, disassociate, tasks) as the registry sees them. */
import { serviceModule } from '../../../../shared/operations/index.js';
import { kpsBindingOperations } from '../../../../shared/operations/kps-binding.js';
import { kpsBindingHandlers, type BindingContext } from './service.js';

export const kpsBindingModule = serviceModule<typeof kpsBindingOperations, BindingContext>({
  declarations: kpsBindingOperations,
  handlers: kpsBindingHandlers,
  // KPS operations too: they seal under `kps/default` like the others.
  defaultKey: 'kps',
});
