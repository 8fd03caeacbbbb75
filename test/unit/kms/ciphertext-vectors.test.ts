// The small-data ciphertext vectors (test/vectors/ciphertext, made with WebCrypto by
// make-ciphertext-vectors.mjs, not by the code under test) decrypt — or fail with their code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmsHandlers } from '../../../electron/core/kms/service.js';
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
}

const dir = join(import.meta.dirname, '../../vectors/ciphertext');
const vectors = readdirSync(dir).map((f) => [f.replace('.json', ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector] as const);

function contextWithKey(v: Vector) {
  const ctx = memoryKmsContext();
  putVectorCmk(ctx, v);
  return ctx;
}

describe('ciphertext vectors', () => {
  it('has both good and fail vectors', () => {
    expect(vectors.some(([n]) => n.startsWith('good_'))).toBe(true);
    expect(vectors.some(([n]) => n.startsWith('fail_'))).toBe(true);
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
        expect(() => kmsHandlers.decryptData(ctx, input)).toThrow(expect.objectContaining({ code: v.expect_error }) as KeyholdError);
      } else {
        expect(kmsHandlers.decryptData(ctx, input)).toMatchObject({ key_id: v.key_id, plain_text: v.plain_text });
      }
    });
  }
  it('encrypt-data output round-trips and is at least 128 base64 characters', async () => {
    const v = vectors.find(([n]) => n === 'good_hello')![1];
    const ctx = contextWithKey(v);
    const { cipher_text } = await kmsHandlers.encryptData(ctx, { key_id: v.key_id, plain_text: 'a', encryption_algorithm: 'SYMMETRIC_DEFAULT' });
    expect(cipher_text.length).toBeGreaterThanOrEqual(128);
    expect(kmsHandlers.decryptData(ctx, { cipher_text, encryption_algorithm: 'SYMMETRIC_DEFAULT' })).toMatchObject({ plain_text: 'a' });
  });
});
