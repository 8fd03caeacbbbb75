/** Shared setup of the envelope unit tests: an in-memory KMS with AES CMKs, and temp files. */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKey } from '../../../electron/core/kms/keys.js';
import { memoryKmsContext } from '../../helpers/memory-store.js';
import { tempDir } from '../../helpers/vault.js';

export async function kmsWithKeys(n: number) {
  const ctx = memoryKmsContext();
  const keyIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = await newKey(ctx, { key_alias: `file-${i}`, key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', key_description: '', origin: 'kms' });
    keyIds.push(k.key_id);
  }
  return { ctx, keyIds };
}

const dirs: string[] = [];

/** A temp dir removed by `removeTempDirs` (call it in afterAll). */
export function envelopeTempDir(): string {
  const dir = tempDir('keyhold-envelope-');
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A temp dir holding `plain` (random bytes of `size`). */
export function plainFile(size: number): { dir: string; plain: string; data: Buffer } {
  const dir = envelopeTempDir();
  const data = randomBytes(size);
  const plain = join(dir, 'plain.bin');
  writeFileSync(plain, data);
  return { dir, plain, data };
}
