// What a token hands back, decoded: EC points in both the DER-wrapped form PKCS#11 specifies and
// the bare form some tokens give; r‖s to the DER ECDSA signature openssl and node:crypto read.
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ecdsaDer, ecPoint } from '../../../electron/core/hsm/pkcs11/encoding.js';
import { KeyholdError } from '../../../shared/errors.js';

describe('token encodings', () => {
  it.each(['prime256v1', 'secp384r1'])('%s: a wrapped and a bare CKA_EC_POINT give the coordinates node:crypto exports', (namedCurve) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve });
    const jwk = publicKey.export({ format: 'jwk' });
    const bare = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);
    const wrapped = Buffer.concat([Buffer.from([4, bare.length]), bare]);
    for (const v of [wrapped, bare]) {
      const { x, y } = ecPoint(v);
      expect(x.toString('base64url')).toBe(jwk.x);
      expect(y.toString('base64url')).toBe(jwk.y);
    }
  });

  it('anything else is a typed error or a point, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          const { x, y } = ecPoint(Buffer.from(b));
          expect(x.length).toBe(y.length);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyholdError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('r‖s becomes a DER signature node:crypto verifies, across many r, s (about half with a high bit set)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    for (let i = 0; i < 64; i++) {
      const msg = Buffer.from(`message ${i}`);
      const raw = sign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify('sha256', msg, { key: createPublicKey(privateKey), dsaEncoding: 'der' }, ecdsaDer(raw))).toBe(true);
      expect(verify('sha256', Buffer.from('other'), { key: createPublicKey(privateKey), dsaEncoding: 'der' }, ecdsaDer(raw))).toBe(false);
    }
  });
});
