// The small-data ciphertext vectors (test/vectors/ciphertext, made with WebCrypto by
// make-ciphertext-vectors.mjs, not by the code under test) decrypt — or fail with their code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmsHandlers } from '../../../electron/core/kms/service.js';
import { frame, MIN_FRAMED } from '../../../electron/core/kms/ciphertext.js';
import { KeyholdError } from '../../../shared/errors.js';
import { memoryKmsContext, putVectorCmk } from '../../helpers/memory-store.js';

interface Vector {
  key_hex: string;
  key_id: string;
  key_version: number;
  plain_text?: string;
  cipher_text: string;
  additional_authenticated_data?: string;
  encryption_context?: Record<string, string>;
  expect_error?: string;
  /** Which check must fire (KeyholdError.reason), as age's testkit names the failure. */
  expect_reason?: string;
}

const dir = join(import.meta.dirname, '../../vectors/ciphertext');
const vectors = readdirSync(dir).map((f) => [f.replace('.json', ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector] as const);

function contextWithKey(v: Vector) {
  const ctx = memoryKmsContext();
  putVectorCmk(ctx, v);
  return ctx;
}

describe('ciphertext vectors', () => {
  it('has both good and fail vectors, and every fail vector names the check that must fire', () => {
    expect(vectors.some(([n]) => n.startsWith('good_'))).toBe(true);
    const fails = vectors.filter(([n]) => n.startsWith('fail_'));
    expect(fails.length).toBeGreaterThan(0);
    expect(fails.filter(([, v]) => !v.expect_reason).map(([n]) => n)).toEqual([]);
  });
  for (const [name, v] of vectors) {
    it(name, () => {
      const ctx = contextWithKey(v);
      const input = {
        cipher_text: v.cipher_text,
        encryption_algorithm: 'SYMMETRIC_DEFAULT' as const,
        additional_authenticated_data: v.additional_authenticated_data,
        encryption_context: v.encryption_context,
      };
      if (v.expect_error) {
        const want = v.expect_reason === undefined ? { code: v.expect_error } : { code: v.expect_error, reason: v.expect_reason };
        expect(() => kmsHandlers.decryptData(ctx, input)).toThrow(expect.objectContaining(want) as KeyholdError);
      } else {
        expect(kmsHandlers.decryptData(ctx, input)).toMatchObject({ key_id: v.key_id, plain_text: v.plain_text });
      }
    });
  }
  it('frames text and bytes as length ‖ data ‖ zeros, whatever memory the frame reuses', () => {
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(128).fill(0xa5);
    for (const [plain, bytes] of [
      ['é', Buffer.from('é')],
      [Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3])],
      ['x'.repeat(100), Buffer.from('x'.repeat(100))],
    ] as const) {
      const framed = frame(plain);
      expect(framed.length).toBe(Math.max(MIN_FRAMED, 2 + bytes.length));
      expect(framed.readUInt16BE(0)).toBe(bytes.length);
      expect(framed.subarray(2, 2 + bytes.length)).toEqual(bytes);
      expect(framed.subarray(2 + bytes.length).every((b) => b === 0)).toBe(true);
    }
  });

  it('encrypt-data output round-trips (ASCII, multi-byte, 4096 bytes) and is at least 128 base64 characters', async () => {
    const v = vectors.find(([n]) => n === 'good_hello')![1];
    const ctx = contextWithKey(v);
    const { cipher_text } = await kmsHandlers.encryptData(ctx, { key_id: v.key_id, plain_text: 'a', encryption_algorithm: 'SYMMETRIC_DEFAULT' });
    expect(cipher_text.length).toBeGreaterThanOrEqual(128);
    expect(kmsHandlers.decryptData(ctx, { cipher_text, encryption_algorithm: 'SYMMETRIC_DEFAULT' })).toMatchObject({ plain_text: 'a' });
    for (const plain_text of ['héllo € 🔑', 'x'.repeat(4096), '€'.repeat(1365)]) {
      const sealed = await kmsHandlers.encryptData(ctx, { key_id: v.key_id, plain_text, encryption_algorithm: 'SYMMETRIC_DEFAULT' });
      expect(kmsHandlers.decryptData(ctx, { cipher_text: sealed.cipher_text, encryption_algorithm: 'SYMMETRIC_DEFAULT' })).toMatchObject({
        plain_text,
        plain_text_base64: Buffer.from(plain_text).toString('base64'),
      });
    }
  });
});
