import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../../../shared/text.js';

describe('utf8Length', () => {
  it('agrees with Buffer.byteLength on any string, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8')), { numRuns: 5000 });
    for (const s of ['', 'a', 'é', '€', '🔑', '\ud800', '\udc00x', 'a\ud83d']) expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });
});
