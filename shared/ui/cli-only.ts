/**
 * The operations the desktop app deliberately leaves to the command line (or to HTTP clients of
 * `keyhold serve`), each with the reason. Every other operation of the registry has a screen
 * that calls it: test/unit/renderer/operation-coverage.test.ts fails when an operation is added
 * without either, when an entry here is called by a screen after all, and when docs/desktop.md's
 * "Deliberately CLI-only" table differs from this list. Keep it short.
 */
import type { OperationKey } from '../operations/index.js';

export const CLI_ONLY: Readonly<Partial<Record<OperationKey, string>>> = {
  sshAgentSign:
    "The agent's own step: `keyhold agent` signs what ssh sends through its socket; a screen that signs arbitrary data for ssh would be a way around the agent's checks.",
  retireGrant:
    "Called by a grant's retiring principal or grantee with its own access key (over `keyhold serve`); the app acts as the vault's owner, who revokes grants on the key's details.",
  listRetirableGrants:
    "Lists the grants the calling access key may retire: a grantee's question over `keyhold serve`, not the owner's (the owner sees every grant on the key's details).",
  showUserInstances: 'The same count the Keys screen shows as "N of M custom keys used" (show-user-quotas); kept for the cloud\'s API.',
  showSecretStage: "A one-stage lookup for scripts: the secret's versions table shows where every stage points (list-secret-versions).",
  showSecretEvent:
    "A one-event lookup for scripts: the secret's events table lists each event with its types, state and notification target (list-secret-events).",
};
