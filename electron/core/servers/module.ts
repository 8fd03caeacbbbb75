/** The server inventory as the registry sees it. */
import { serviceModule } from '../../../shared/operations/index.js';
import { serversOperations } from '../../../shared/operations/servers.js';
import { serversHandlers, type ServersContext } from './inventory.js';

export const serversModule = serviceModule<typeof serversOperations, ServersContext>({
  declarations: serversOperations,
  handlers: serversHandlers,
});
