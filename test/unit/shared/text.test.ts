import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8AtMost, utf8Length } from '../../../shared/text.js';

describe('utf8Length', () => {
  it('agrees with Buffer.byteLength on any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8')),
      { numRuns: 5000 },
    );
    for (const s of ['', 'a', 'é', '€', '🔑', '\ud800', '\udc00x', 'a\ud83d', 'x'.repeat(4096), `${'x'.repeat(4095)}é`])
      expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });
});

describe('utf8AtMost', () => {
  it('agrees with Buffer.byteLength <= max on any string and bound, either side of the length shortcuts', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    );
    fc.assert(
      fc.property(text, fc.nat(130), (s, max) => utf8AtMost(s, max) === Buffer.byteLength(s, 'utf8') <= max),
      { numRuns: 20000 },
    );
    // Exactly at the shortcuts: 3 bytes a unit (€), 4 bytes per surrogate pair (🔑), lone surrogates.
    for (const [s, max] of [
      ['€€', 6],
      ['€€', 5],
      ['🔑', 4],
      ['🔑', 3],
      ['\ud800\ud800', 6],
      ['\ud800\ud800', 5],
      ['ab', 2],
      ['ab', 1],
    ] as const) {
      expect(utf8AtMost(s, max)).toBe(Buffer.byteLength(s) <= max);
    }
  });
});
