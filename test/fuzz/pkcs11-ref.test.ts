// Token key references (hsm/pkcs11/ref.ts) are read back from CMK records: any string yields a
// reference that formats back to the same string, or null — never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HsmKeyKind, WrappedKey } from '../../electron/core/hsm/backend.js';
import { formatTokenRef, isTokenRef, parseTokenRef } from '../../electron/core/hsm/pkcs11/ref.js';

const KINDS: HsmKeyKind[] = ['aes-256', 'hmac-sha256', 'rsa-2048', 'ec-p256', 'ec-secp256k1'];

describe('fuzz: token key references', () => {
  it('arbitrary strings: null or a reference that round-trips', () => {
    const near = fc
      .tuple(fc.constantFrom('P11K1', 'P11K2', ''), fc.string({ maxLength: 40 }), fc.constantFrom(...KINDS, 'x'), fc.stringMatching(/^[0-9a-fA-F]{0,140}$/))
      .map((p) => p.join('.'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), near), (s) => {
        const ref = parseTokenRef(s);
        if (ref) expect(formatTokenRef(ref)).toBe(s);
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('formatted references parse back to the same store, kind and id', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(...KINDS), fc.uint8Array({ minLength: 1, maxLength: 64 }), (storeId, kind, id) => {
        const s = formatTokenRef({ storeId, kind, objectId: Buffer.from(id) });
        expect(isTokenRef(s)).toBe(true);
        expect(parseTokenRef(s)).toEqual({ storeId, kind, objectId: Buffer.from(id) });
      }),
    );
    expect(isTokenRef('KHK1.aes-256.AAAA' as WrappedKey)).toBe(false);
  });
});
