// The envelope vectors (test/vectors/envelope, made with WebCrypto by make-envelope-vectors.mjs,
// not by the code under test) decrypt to their plaintext — or fail with their code.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localVaultResolver } from '../../../electron/core/envelope/keyrings.js';
import { decryptFile } from '../../../electron/core/envelope/pipeline.js';
import { memoryKmsContext, putVectorCmk } from '../../helpers/memory-store.js';
import { envelopeTempDir as tempDir, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

interface Vector {
  cmks: { key_id: string; key_version: number; key_hex: string }[];
  envelope_b64: string;
  plain_hex?: string;
  encryption_context?: Record<string, string>;
  expect_error?: string;
}

const dir = join(import.meta.dirname, '../../vectors/envelope');
const vectors = readdirSync(dir).map((f) => [f.replace('.json', ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector] as const);

function contextWith(cmks: Vector['cmks']) {
  const ctx = memoryKmsContext();
  for (const c of cmks) putVectorCmk(ctx, c);
  return ctx;
}

describe('envelope vectors', () => {
  it('has good and fail vectors', () => {
    expect(vectors.filter(([n]) => n.startsWith('good_')).length).toBeGreaterThanOrEqual(4);
    expect(vectors.filter(([n]) => n.startsWith('fail_')).length).toBeGreaterThanOrEqual(8);
  });
  for (const [name, v] of vectors) {
    it(name, async () => {
      const tmp = tempDir();
      const input = join(tmp, 'in.khe');
      const output = join(tmp, 'out');
      writeFileSync(input, Buffer.from(v.envelope_b64, 'base64'));
      const run = decryptFile(input, output, { resolvers: [localVaultResolver(contextWith(v.cmks))], context: v.encryption_context });
      if (v.expect_error) {
        await expect(run).rejects.toMatchObject({ code: v.expect_error });
      } else {
        await run;
        expect(readFileSync(output).toString('hex')).toBe(v.plain_hex);
      }
    });
  }
  it('the second key alone decrypts a file encrypted to both', async () => {
    const v = vectors.find(([n]) => n === 'good_three_frames_two_keys')![1];
    const tmp = tempDir();
    writeFileSync(join(tmp, 'in'), Buffer.from(v.envelope_b64, 'base64'));
    const r = await decryptFile(join(tmp, 'in'), join(tmp, 'out'), { resolvers: [localVaultResolver(contextWith(v.cmks.slice(1)))] });
    expect(r.dataKey.entry).toEqual({ type: 'local-cmk', keyId: v.cmks[1]!.key_id, keyVersion: 3 });
    expect(readFileSync(join(tmp, 'out')).toString('hex')).toBe(v.plain_hex);
  });
});
