/**
 * CSMS as the registry sees it: its operations, its due work (rotations, expiries, scheduled
 * deletions) and its default key `csms/default`.
 */
import { serviceModule } from '../../../shared/operations/index.js';
import { csmsOperations } from '../../../shared/operations/csms.js';
import { csmsDueTasks } from './schedule.js';
import type { SecretsContext } from './context.js';
import { csmsHandlers } from './service.js';

export const csmsModule = serviceModule<typeof csmsOperations, SecretsContext>({
  declarations: csmsOperations,
  handlers: csmsHandlers,
  dueTasks: csmsDueTasks,
  defaultKey: 'csms',
});
