/** Remotes as the registry sees them. */
import { serviceModule } from '../../../shared/operations/index.js';
import { remoteOperations } from '../../../shared/operations/remote.js';
import type { RemoteContext } from './endpoint.js';
import type { SecretsContext } from '../secrets/context.js';
import { remoteHandlers } from './remotes.js';

export const remoteModule = serviceModule<typeof remoteOperations, RemoteContext & SecretsContext>({
  declarations: remoteOperations,
  handlers: remoteHandlers,
});
