/** The ssh-agent operations as the registry sees them. */
import { serviceModule } from '../../../../shared/operations/index.js';
import { sshAgentOperations } from '../../../../shared/operations/ssh-agent.js';
import type { KmsContext } from '../../kms/context.js';
import { sshAgentHandlers } from './service.js';

export const sshAgentModule = serviceModule<typeof sshAgentOperations, KmsContext>({
  declarations: sshAgentOperations,
  handlers: sshAgentHandlers,
});
