/** File envelopes and signatures as the registry sees them. */
import { serviceModule } from '../../../shared/operations/index.js';
import { fileOperations } from '../../../shared/operations/file.js';
import { fileHandlers, type FileContext } from './service.js';

export const fileModule = serviceModule<typeof fileOperations, FileContext>({
  declarations: fileOperations,
  handlers: fileHandlers,
});
