/**
 * The master-password rule as the forms show it before submit: at least MIN_PASSWORD_LENGTH
 * characters (counted as the core counts them, in Unicode code points:
 * electron/core/api/password-policy.ts), and how far the typed one is from it.
 */
const MIN_PASSWORD_LENGTH = 8;

/** The refusal the forms give before any call, and the core gives as VAULT.0108. */
export const TOO_SHORT = `Choose a master password of at least ${MIN_PASSWORD_LENGTH} characters.`;

export function passwordRule(password: string): { met: boolean; text: string } {
  const length = [...password].length;
  const rule = `At least ${MIN_PASSWORD_LENGTH} characters`;
  if (length >= MIN_PASSWORD_LENGTH) return { met: true, text: `${rule}: long enough.` };
  if (length === 0) return { met: false, text: `${rule}.` };
  const more = MIN_PASSWORD_LENGTH - length;
  return { met: false, text: `${rule}: ${more} more to go.` };
}
