import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, generatePassword } from '../../../electron/core/secrets/password-generator.js';
import { newSession } from '../../helpers/vault.js';
import { caller, codeOf } from './helpers.js';

const gen = (over: Partial<typeof DEFAULT_PASSWORD>) => generatePassword({ ...DEFAULT_PASSWORD, ...over });

describe('password generator', () => {
  it('makes passwords of the asked length with one of each included type', () => {
    for (let i = 0; i < 200; i++) {
      const p = gen({ length: 4 });
      expect(p).toHaveLength(4);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[^a-zA-Z0-9]/);
    }
    expect(gen({ length: 4096 })).toHaveLength(4096);
  });

  it('honours excluded classes and characters, and include_space', () => {
    for (let i = 0; i < 100; i++) {
      expect(gen({ exclude_punctuation: true, exclude_uppercase: true, exclude_characters: 'aeiou0' })).toMatch(/^[b-df-hj-np-tv-z1-9]{32}$/);
    }
    const spaced = Array.from({ length: 50 }, () =>
      gen({ length: 2, include_space: true, exclude_lowercase: true, exclude_uppercase: true, exclude_numbers: true, exclude_punctuation: true }),
    );
    expect(spaced.every((p) => p === '  ')).toBe(true);
  });

  it('spreads choices over the whole pool', () => {
    const counts = new Map<string, number>();
    for (const c of gen({ length: 4096, exclude_uppercase: true, exclude_punctuation: true, require_each_included_type: false }))
      counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(36);
  });

  it('refuses impossible requests', () => {
    expect(() => gen({ exclude_lowercase: true, exclude_uppercase: true, exclude_numbers: true, exclude_punctuation: true })).toThrow(/no character/);
    expect(() => gen({ length: 3 })).toThrow(/cannot hold one character of each/);
    expect(() => gen({ exclude_characters: '0123456789' })).toThrow(/every numbers character/);
    expect(gen({ exclude_characters: '0123456789', require_each_included_type: false })).toMatch(/^[^0-9]{32}$/);
  });

  it('is offered as generate-random-password with cloud errors', async () => {
    const { session } = await newSession();
    try {
      const csms = caller(session);
      expect((await csms('generate-random-password', { length: 12 })).password).toHaveLength(12);
      expect(await codeOf(csms('generate-random-password', { length: 0 }))).toBe('CSMS.0002');
      expect(await codeOf(csms('generate-random-password', { length: 4097 }))).toBe('CSMS.0002');
      expect(await codeOf(csms('generate-random-password', { length: 2 }))).toBe('CSMS.0002');
    } finally {
      session.close();
    }
  });
});

describe('password generator properties', () => {
  it('either honours every constraint or refuses with CSMS.0002', async () => {
    const fc = await import('fast-check');
    const { KeyholdError } = await import('../../../shared/errors.js');
    fc.assert(
      fc.property(
        fc.record({
          length: fc.integer({ min: 1, max: 64 }),
          exclude_characters: fc.string({ maxLength: 40 }),
          exclude_lowercase: fc.boolean(),
          exclude_uppercase: fc.boolean(),
          exclude_numbers: fc.boolean(),
          exclude_punctuation: fc.boolean(),
          include_space: fc.boolean(),
          require_each_included_type: fc.boolean(),
        }),
        (req) => {
          let p: string;
          try {
            p = generatePassword(req);
          } catch (e) {
            expect(e).toBeInstanceOf(KeyholdError);
            expect((e as InstanceType<typeof KeyholdError>).code).toBe('CSMS.0002');
            return;
          }
          expect([...p]).toHaveLength(req.length);
          for (const c of p) expect(req.exclude_characters.includes(c)).toBe(false);
          if (req.exclude_lowercase) expect(p).not.toMatch(/[a-z]/);
          if (req.exclude_uppercase) expect(p).not.toMatch(/[A-Z]/);
          if (req.exclude_numbers) expect(p).not.toMatch(/[0-9]/);
          if (!req.include_space) expect(p).not.toContain(' ');
        },
      ),
      { numRuns: 500 },
    );
  });
});
