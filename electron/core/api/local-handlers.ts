/** Implementations of the local vault and audit operations (shared/operations/vault.ts). */
import { serviceModule, type Handlers } from '../../../shared/operations/index.js';
import { vaultOperations } from '../../../shared/operations/vault.js';
import { backupVault } from '../vault/backup.js';
import { requireMasterPasswordPolicy } from './password-policy.js';
import type { CallContext } from './call.js';

export const localHandlers: Handlers<typeof vaultOperations, CallContext> = {
  async auditVerify(s) {
    const { entries, head, losses } = await s.audit.verify();
    return { valid: true, entries, head, losses };
  },
  auditListEvents(s, input) {
    return s.audit.list(input);
  },
  vaultShow(s) {
    return { project_id: s.domain.project_id, domain_id: s.domain.domain_id };
  },
  async vaultVerify(s) {
    const { records, entries } = await s.audit.verify({ records: true });
    return { valid: true, records: records ?? 0, entries };
  },
  vaultBackup(s, input) {
    return backupVault(s.vault, input.out);
  },
  async vaultChangePassword(s, input) {
    requireMasterPasswordPolicy(input.new_password);
    const kdf = await s.vault.changePassword(input.new_password);
    return { changed: true, kdf: { m: kdf.m, t: kdf.t, p: kdf.p } };
  },
};

export const vaultModule = serviceModule<typeof vaultOperations, CallContext>({ declarations: vaultOperations, handlers: localHandlers });
