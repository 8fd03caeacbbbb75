/**
 * The key tools by content, as a transport runs them (declaration, then the offline handler):
 * any text in key_text / private_key_text, any target format and passphrase choice ends in a
 * value or a typed KPS error, never another exception, and cheaply. Seeds are Keyhold's own
 * writers' output, cut and altered.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../shared/errors.js';
import { KEY_FILE_FORMATS, MAX_KEY_TEXT_CHARS } from '../../shared/operations/kps.js';
import { findOperation, runOffline } from '../../electron/core/api/index.js';
import { writeKey } from '../../electron/core/keypairs/formats/index.js';
import { fromKeyObject } from '../../electron/core/keypairs/key.js';
import { cpuClock } from '../helpers/cpu-time.js';

const seeds: string[] = [];

beforeAll(async () => {
  const key = fromKeyObject(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, 'fuzz');
  for (const f of KEY_FILE_FORMATS) seeds.push(await writeKey(f, { publicKey: key, privateKey: key }, { comment: 'fuzz seed' }));
});

/** Runs the operation as a transport does; the outcome is 'value' or a KPS code. */
async function outcome(name: 'inspect' | 'convert' | 'windows-password', input: Record<string, unknown>): Promise<string> {
  const op = findOperation('kps', name);
  if (!op) throw new Error(`no kps ${name}`);
  const cpuMs = cpuClock();
  let result = 'value';
  try {
    await runOffline(op, input);
  } catch (e) {
    if (!(e instanceof KeyholdError)) throw new Error(`kps ${name} threw a non-Keyhold error: ${String(e)}`);
    expect(e.code).toMatch(/^KPS\.\d{4}$/);
    result = e.code;
  }
  // No seed is encrypted and no hostile cost is met: every outcome is cheap.
  expect(cpuMs()).toBeLessThan(2000);
  return result;
}

const mangled = () =>
  fc.oneof(
    fc.string({ maxLength: 2000 }),
    fc.tuple(fc.nat(), fc.nat()).map(([s, n]) => {
      const seed = seeds[s % seeds.length] as string;
      return seed.slice(0, n % (seed.length + 1));
    }),
    fc.tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 8 })).map(([s, at, junk]) => {
      const seed = seeds[s % seeds.length] as string;
      const i = at % seed.length;
      return seed.slice(0, i) + junk + seed.slice(i + junk.length);
    }),
  );

describe('key tools by content are total', () => {
  it('inspect: any text, with or without a passphrase', async () => {
    await fc.assert(
      fc.asyncProperty(mangled(), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), async (text, passphrase) => {
        await outcome('inspect', { key_text: text, ...(passphrase === undefined ? {} : { passphrase }) });
      }),
      { numRuns: 300 },
    );
  });

  it('convert: any text to any format, any passphrase choice', async () => {
    await fc.assert(
      fc.asyncProperty(mangled(), fc.constantFrom(...KEY_FILE_FORMATS), fc.constantFrom('keep', 'none', 'new'), async (text, to, choice) => {
        const pass = choice === 'none' ? { no_passphrase: true } : choice === 'new' ? { new_passphrase: 'n' } : {};
        // A new passphrase costs a real KDF on the output (Argon2, bcrypt): only for few runs.
        if (choice === 'new' && (to === 'ppk3' || to === 'openssh')) return;
        await outcome('convert', { key_text: text, to, ...pass });
      }),
      { numRuns: 300 },
    );
  });

  it('windows-password: any key text and any blob', async () => {
    await fc.assert(
      fc.asyncProperty(mangled(), fc.string({ minLength: 1, maxLength: 400 }), async (text, blob) => {
        await outcome('windows-password', { password_blob: blob, private_key_text: text });
      }),
      { numRuns: 200 },
    );
  });

  it('any text beyond the bound is refused by the declaration (KPS.0002), whatever it holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(4096), fc.constantFrom(...seeds), async (extra, seed) => {
        const text = seed + ' '.repeat(MAX_KEY_TEXT_CHARS - seed.length + 1 + extra);
        expect(await outcome('inspect', { key_text: text })).toBe('KPS.0002');
      }),
      { numRuns: 20 },
    );
  });
});
