/**
 * The master-password policy, one rule for every way a vault gets a password (`keyhold init`,
 * the app's first run, web mode's first run, change-password): at least 8 characters (Unicode
 * code points), as NIST SP 800-63B asks of a memorised secret, and at most 1024 so that no one
 * can hand the KDF a megabyte. Nothing else is imposed: length is what makes a guess expensive
 * behind Argon2id; composition rules mostly make passwords predictable. docs/desktop.md says so.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';

export const MASTER_PASSWORD_MIN_CHARS = 8;
export const MASTER_PASSWORD_MAX_CHARS = 1024;

/** Precondition: `password` may become a vault's master password; else VAULT.0108 naming the rule. */
export function requireMasterPasswordPolicy(password: string): void {
  const chars = [...password].length;
  if (chars < MASTER_PASSWORD_MIN_CHARS) {
    throw new KeyholdError(
      LocalErrors.PasswordPolicy,
      `The master password must be at least ${MASTER_PASSWORD_MIN_CHARS} characters long (it has ${chars}).`,
      400,
    );
  }
  if (chars > MASTER_PASSWORD_MAX_CHARS) {
    throw new KeyholdError(LocalErrors.PasswordPolicy, `The master password must be at most ${MASTER_PASSWORD_MAX_CHARS} characters long.`, 400);
  }
}
