/** Implementations of the local vault and audit operations (shared/operations/vault.ts). */
import type { Handlers } from '../../../shared/operations/index.js';
import type { vaultOperations } from '../../../shared/operations/vault.js';
import { backupVault } from '../vault/backup.js';
import { requireMasterPasswordPolicy } from './password-policy.js';
import type { CallContext } from './session.js';

export const localHandlers: Handlers<typeof vaultOperations, CallContext> = {
  auditVerify(s) {
    const { entries, head } = s.audit.verify();
    return { valid: true, entries, head };
  },
  auditListEvents(s, input) {
    return s.audit.list(input);
  },
  vaultVerify(s) {
    const records = s.vault.verifyRecords();
    const { entries } = s.audit.verify();
    return { valid: true, records, entries };
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
