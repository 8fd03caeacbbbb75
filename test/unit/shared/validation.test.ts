// The hot operations' field checks were rewritten for speed (length apart from character
// class); they must accept and refuse exactly what the counted regexes did, with the same error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { base64, charsOf } from '../../../shared/operations/kms/common.js';
import { parseInput, operations } from '../../../shared/operations/index.js';
import { KeyholdError } from '../../../shared/errors.js';

const counted = (charClass: string, min: number, max: number, message: string) => z.string().regex(new RegExp(`^[${charClass}]{${min},${max}}$`), message);

function outcome(schema: z.ZodType, s: unknown): string {
  const r = schema.safeParse(s);
  return r.success ? 'ok' : `${r.error.issues[0]?.path.join('.')}|${r.error.issues[0]?.message}|${r.error.issues[0]?.code === 'invalid_type'}`;
}

describe('charsOf', () => {
  it('accepts and refuses exactly what the counted regex did, with the same message', () => {
    const chars = fc.constantFrom(...'AZaz09+/=-_ .\n\u00e9é\u0000'.split(''));
    const input = fc.oneof(
      fc.array(chars, { maxLength: 12 }).map((a) => a.join('')),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(undefined, 7, null, ['QUJD']),
    );
    for (const [charClass, min, max] of [
      ['0-9a-zA-Z+/=', 4, 8],
      ['0-9a-fA-F', 2, 6],
      ['0-9a-zA-Z+/=', 1, 1],
    ] as const) {
      const message = `must be ${min}-${max} characters`;
      const fast = charsOf(charClass, min, max, message);
      const slow = counted(charClass, min, max, message);
      fc.assert(
        fc.property(input, (s) => outcome(fast, s) === outcome(slow, s)),
        { numRuns: 3000 },
      );
    }
  });

  it('gives generate-mac the same error naming the field for a bad character, a short and a long message', () => {
    const decl = operations.generateMac;
    const base = { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', mac_algorithm: 'HMAC_SHA_256' };
    for (const message of ['QUJD', 'QUJD!', 'QU', 'A'.repeat(5465)]) {
      const got = (() => {
        try {
          parseInput(decl, { ...base, message });
          return 'ok';
        } catch (e) {
          return `${(e as KeyholdError).code} ${(e as KeyholdError).message}`;
        }
      })();
      expect(got).toBe(message === 'QUJD' ? 'ok' : 'KMS.0308 Invalid parameter message: must be 4-5464 base64 characters.');
    }
    expect(outcome(base64(4, 5464), 'A'.repeat(5464))).toBe('ok');
  });
});
