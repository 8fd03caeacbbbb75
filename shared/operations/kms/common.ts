/** Field schemas, validation codes and shapes every KMS declaration shares (reference §4). */
import { z } from 'zod';
import type { ValidationCodes } from '../define.js';
import { utf8AtMost } from '../../text.js';

export const KMS_VALIDATION: ValidationCodes = {
  missing: 'KMS.0204',
  invalid: 'KMS.0308',
  fields: {
    key_id: 'KMS.0205',
    sequence: 'KMS.0206',
    key_alias: 'KMS.1101',
    key_description: 'KMS.1103',
    limit: 'KMS.1601',
    marker: 'KMS.1602',
    additional_authenticated_data: 'KMS.0208',
    encryption_context: 'KMS.0208',
  },
};

/** KMS_VALIDATION with more field-specific codes for one operation. */
export function kmsValidation(fields: Record<string, string>): ValidationCodes {
  return { ...KMS_VALIDATION, fields: { ...KMS_VALIDATION.fields, ...fields } };
}

export const keyId = z.string().regex(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/, 'must be a 36-character key id');
export const sequence = z.string().max(36).optional();
export const keyAlias = z
  .string()
  .regex(/^[a-zA-Z0-9:/_-]{1,255}$/, 'must be 1-255 characters of a-z A-Z 0-9 : / _ -')
  .refine((a) => !a.endsWith('/default'), 'the suffix /default is reserved for default keys');
export const keyDescription = z.string().max(255);
export const aad = z
  .string()
  .refine((s) => utf8AtMost(s, 128), 'must be at most 128 bytes')
  .optional();
/** The retired v1 API's key-value context; canonicalised before it becomes AAD. */
export const encryptionContext = z
  .record(z.string(), z.string())
  .refine((o) => JSON.stringify(o).length <= 8192, 'must be at most 8192 characters')
  .optional();
/**
 * A string of `min`-`max` characters of one class, every failure with the same message. The
 * length is checked apart from the class: a counted regex (`{4,5464}`) costs the engine twice
 * as much per character as `*`, which shows on the 5 KB messages of the hot MAC and sign calls.
 */
export const charsOf = (charClass: string, min: number, max: number, message: string) =>
  z
    .string()
    .min(min, message)
    .max(max, message)
    .regex(new RegExp(`^[${charClass}]*$`), message);
export const base64 = (min: number, max: number) => charsOf('0-9a-zA-Z+/=', min, max, `must be ${min}-${max} base64 characters`);
/** A number the cloud sends as a string, within bounds. */
export const numericString = (min: number, max: number, what = 'a number') =>
  z
    .string()
    .regex(/^\d{1,10}$/, `must be ${what} from ${min} to ${max}`)
    .refine((s) => Number(s) >= min && Number(s) <= max, `must be ${what} from ${min} to ${max}`);
export const listLimit = numericString(1, 1000).optional();
export const listMarker = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a non-negative number')
  .optional();

/** An operation whose cloud response is an empty body (200 or 204). */
export type Empty = Record<string, never>;

export type KeyState = '1' | '2' | '3' | '4' | '5';

/** describe-key's KeyDetails: every value a string, as the cloud sends it. */
export interface KeyDetails {
  key_id: string;
  domain_id: string;
  key_alias: string;
  realm: string;
  key_spec: string;
  key_usage: string;
  key_description: string;
  creation_date: string;
  scheduled_deletion_date: string;
  key_state: KeyState;
  default_key_flag: '0' | '1';
  key_type: string;
  expiration_time: string;
  origin: 'kms' | 'external';
  key_rotation_enabled: 'true' | 'false';
  sys_enterprise_project_id: string;
  keystore_id: string;
}
