// AES key wrap with padding against RFC 5649 §6's two vectors and against openssl's own
// `enc -id-aes256-wrap-pad`; every altered wrapping is refused the same way.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kwpUnwrap, kwpWrap } from '../../../electron/core/crypto/aes-kwp.js';
import { tempDir } from '../../helpers/vault.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
// RFC 5649 §6: KEK 5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8 (192 bits).
const KEK = hex('5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8');
const VECTORS = [
  { key: hex('c37b7e6492584340 bed1220780894115 5068f738'), wrapped: hex('138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a') },
  { key: hex('466f7250617369'), wrapped: hex('afbeb0f07dfbf541 9200f2ccb50bb24f') },
];

describe('AES-KWP (RFC 5649)', () => {
  for (const [i, v] of VECTORS.entries()) {
    it(`wraps and unwraps RFC 5649 vector ${i + 1}`, () => {
      expect(kwpWrap(KEK, v.key).toString('hex')).toBe(v.wrapped.toString('hex'));
      expect(kwpUnwrap(KEK, v.wrapped)?.toString('hex')).toBe(v.key.toString('hex'));
    });
  }

  it('opens what openssl enc -id-aes256-wrap-pad wrote, and openssl opens ours', () => {
    const dir = tempDir('keyhold-kwp-');
    const kek = randomBytes(32);
    const plain = randomBytes(1217);
    writeFileSync(join(dir, 'plain'), plain);
    execFileSync('openssl', [
      'enc',
      '-id-aes256-wrap-pad',
      '-K',
      kek.toString('hex'),
      '-iv',
      'A65959A6',
      '-in',
      join(dir, 'plain'),
      '-out',
      join(dir, 'wrapped'),
    ]);
    expect(kwpUnwrap(kek, readFileSync(join(dir, 'wrapped')))?.equals(plain)).toBe(true);
    writeFileSync(join(dir, 'ours'), kwpWrap(kek, plain));
    const back = execFileSync('openssl', ['enc', '-d', '-id-aes256-wrap-pad', '-K', kek.toString('hex'), '-iv', 'A65959A6', '-in', join(dir, 'ours')]);
    expect(back.equals(plain)).toBe(true);
  });

  it('refuses every altered byte, a truncation and a wrong key with null', () => {
    const kek = randomBytes(32);
    const wrapped = kwpWrap(kek, randomBytes(100));
    fc.assert(
      fc.property(fc.nat(wrapped.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const bad = Buffer.from(wrapped);
        bad[at] = (bad[at] as number) ^ x;
        return kwpUnwrap(kek, bad) === null;
      }),
    );
    expect(kwpUnwrap(kek, wrapped.subarray(0, wrapped.length - 8))).toBeNull();
    expect(kwpUnwrap(randomBytes(32), wrapped)).toBeNull();
    expect(kwpUnwrap(kek, Buffer.alloc(7))).toBeNull();
  });
});
