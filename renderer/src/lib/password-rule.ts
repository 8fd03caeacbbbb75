/**
 * The master-password rule as the forms show it before submit: at least MIN_PASSWORD_LENGTH
 * characters (counted as the core counts them, in Unicode code points:
 * electron/core/api/password-policy.ts), and how far the typed one is from it.
 */
import { MIN_PASSWORD_LENGTH } from './session.svelte.js';

export function passwordRule(password: string): { met: boolean; text: string } {
  const length = [...password].length;
  const rule = `At least ${MIN_PASSWORD_LENGTH} characters`;
  if (length >= MIN_PASSWORD_LENGTH) return { met: true, text: `${rule}: long enough.` };
  if (length === 0) return { met: false, text: `${rule}.` };
  const more = MIN_PASSWORD_LENGTH - length;
  return { met: false, text: `${rule}: ${more} more to go.` };
}
