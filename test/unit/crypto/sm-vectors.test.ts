// SM4-GCM against RFC 8998's vector (A.1) and the SM4 block cipher against GB/T 32907's example,
// the SM2 PKCS#8 parser against keys openssl wrote (and fuzzed: a key or null, never a throw).
import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSm2Pkcs8, sm2Pkcs8, sm2PublicKeyPem, sm2Verify } from '../../../electron/core/crypto/sm2.js';
import { sm4GcmOpen, sm4GcmSealAt } from '../../../electron/core/crypto/sm4-gcm.js';
import { tempDir } from '../../helpers/vault.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 8998, Appendix A.1 (SM4-GCM).
const GCM = {
  key: hex('0123456789ABCDEFFEDCBA9876543210'),
  iv: hex('00001234567800000000ABCD'),
  aad: hex('FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2'),
  plain: hex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA'),
  cipher: hex('17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D'),
  tag: hex('83DE3541E4C2B58177E065A9BF7B62EC'),
};

describe('SM4', () => {
  it("GB/T 32907 example: 0123456789abcdeffedcba9876543210 under itself is 681edf34d206965e86b3e94f536e4246 (the block OpenSSL's SM4-CTR runs, which the KMS test compares SM4-GCM with)", () => {
    const key = hex('0123456789abcdeffedcba9876543210');
    const c = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(Buffer.concat([c.update(key), c.final()]).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it("SM4-GCM gives RFC 8998's ciphertext and tag, and opens them", () => {
    const { ciphertext, tag } = sm4GcmSealAt(GCM.key, GCM.iv, GCM.plain, GCM.aad);
    expect(ciphertext.toString('hex')).toBe(GCM.cipher.toString('hex'));
    expect(tag.toString('hex')).toBe(GCM.tag.toString('hex'));
    expect(sm4GcmOpen(GCM.key, { iv: GCM.iv, ciphertext: GCM.cipher, tag: GCM.tag }, GCM.aad)?.toString('hex')).toBe(GCM.plain.toString('hex'));
  });

  it('refuses a flipped tag, ciphertext or AAD byte, and a short tag, with null', () => {
    const flip = (b: Buffer, i: number) => {
      const c = Buffer.from(b);
      c[i] = (c[i] as number) ^ 1;
      return c;
    };
    expect(sm4GcmOpen(GCM.key, { iv: GCM.iv, ciphertext: GCM.cipher, tag: flip(GCM.tag, 15) }, GCM.aad)).toBeNull();
    expect(sm4GcmOpen(GCM.key, { iv: GCM.iv, ciphertext: flip(GCM.cipher, 0), tag: GCM.tag }, GCM.aad)).toBeNull();
    expect(sm4GcmOpen(GCM.key, { iv: GCM.iv, ciphertext: GCM.cipher, tag: GCM.tag }, flip(GCM.aad, 3))).toBeNull();
    expect(sm4GcmOpen(GCM.key, { iv: GCM.iv, ciphertext: GCM.cipher, tag: GCM.tag.subarray(0, 12) }, GCM.aad)).toBeNull();
  });
});

describe('SM2 keys (PKCS#8)', () => {
  const dir = tempDir('keyhold-sm2-');
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ossl(['genpkey', '-algorithm', 'SM2', '-out', 'k.pem']);
  ossl(['pkcs8', '-topk8', '-nocrypt', '-in', 'k.pem', '-outform', 'DER', '-out', 'k.der']);
  ossl(['pkey', '-in', 'k.pem', '-pubout', '-out', 'k.pub.pem']);
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256.pem']);
  ossl(['pkcs8', '-topk8', '-nocrypt', '-in', 'p256.pem', '-outform', 'DER', '-out', 'p256.der']);
  const der = readFileSync(join(dir, 'k.der'));

  it("parses what openssl wrote; the canonical form is openssl's bytes and the public key is openssl's", () => {
    const key = parseSm2Pkcs8(der);
    expect(key).not.toBeNull();
    expect(sm2Pkcs8(key as NonNullable<typeof key>).toString('hex')).toBe(der.toString('hex'));
    expect(sm2PublicKeyPem(key as NonNullable<typeof key>).replace(/\s+/g, '')).toBe(readFileSync(join(dir, 'k.pub.pem'), 'utf8').replace(/\s+/g, ''));
  });

  it('refuses a P-256 key, a key carrying another public point, trailing bytes and a zero scalar', () => {
    expect(parseSm2Pkcs8(readFileSync(join(dir, 'p256.der')))).toBeNull();
    const otherPoint = Buffer.from(der);
    otherPoint[otherPoint.length - 1] = (otherPoint[otherPoint.length - 1] as number) ^ 1;
    expect(parseSm2Pkcs8(otherPoint)).toBeNull();
    expect(parseSm2Pkcs8(Buffer.concat([der, Buffer.from([0])]))).toBeNull();
    const zero = Buffer.from(der);
    zero.fill(0, 36, 68);
    expect(parseSm2Pkcs8(zero)).toBeNull();
  });

  it('a malformed signature is false, not an exception', () => {
    const key = parseSm2Pkcs8(der) as NonNullable<ReturnType<typeof parseSm2Pkcs8>>;
    for (const sig of [Buffer.alloc(0), Buffer.from('3006020101020101', 'hex'), Buffer.alloc(72, 0x30), Buffer.alloc(200, 7)]) {
      expect(sm2Verify(key, Buffer.from('m'), sig, false)).toBe(false);
    }
  });

  it('fuzz: random bytes and altered keys give a key or null, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseSm2Pkcs8(Buffer.from(bytes));
        expect(r === null || typeof r.d === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat({ max: der.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const altered = Buffer.from(der);
        altered[i] = (altered[i] as number) ^ x;
        const r = parseSm2Pkcs8(altered);
        // Only a changed scalar with no public point check could pass; the point is always checked.
        expect(r).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
