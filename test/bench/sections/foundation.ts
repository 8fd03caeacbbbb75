/**
 * Foundation: encrypt-data of 4 KB through the whole dispatcher (validation, key lookup, HSM,
 * audit entry committed by group commit) against raw node:crypto AES-256-GCM of 4 KB; and the
 * time to unlock a vault created with the default (~0.5 s) KDF calibration.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Session } from '../../../electron/core/api/index.js';
import { tempDir } from '../../helpers/vault.js';
import { compare, median, type BenchReport } from '../harness.ts';

const CONCURRENCY = 64;

export async function run(report: BenchReport): Promise<void> {
  report.section('foundation: encrypt-data 4 KB in-process, unlock');
  const path = join(tempDir('keyhold-bench-'), 'vault.db');
  const created = await Session.create(path, 'bench password');
  const kdf = created.vault.kdf;
  const { key_info } = await created.invoke('createKey', { key_alias: 'bench' }, 'ipc');
  created.close();

  const unlocks: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const s = await Session.open(path, { password: 'bench password' });
    unlocks.push(performance.now() - t);
    s.close();
  }
  report.value(`unlock (Argon2id m=${kdf.m} KiB t=${kdf.t} p=${kdf.p}, then audit checks), median of 5`, median(unlocks), 'ms');

  const session = await Session.open(path, { password: 'bench password' });
  const plain_text = 'x'.repeat(4096);
  const input = { key_id: key_info.key_id, plain_text };
  const key = randomBytes(32);
  const data = Buffer.from(plain_text);
  const rawN = (n: number) => () => {
    for (let i = 0; i < n; i++) {
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
      c.update(data);
      c.final();
      c.getAuthTag();
    }
  };
  const concurrent = async () => {
    await Promise.all(Array.from({ length: CONCURRENCY }, () => session.invoke('encryptData', input, 'ipc')));
  };
  const c = await compare(concurrent, rawN(CONCURRENCY), CONCURRENCY);
  report.ratio({
    name: `encrypt-data 4 KB, ${CONCURRENCY} in flight (each audited, durable before it returns)`,
    unit: 'ops/s',
    keyhold: c.keyhold,
    baseline: c.baseline,
    baselineName: 'raw AES-256-GCM',
    goal: 0.5,
  });
  const sequential = async () => {
    for (let i = 0; i < 8; i++) await session.invoke('encryptData', input, 'ipc');
  };
  const s = await compare(sequential, rawN(8), 8, 3);
  report.ratio({
    name: 'encrypt-data 4 KB, one at a time (a commit per call)',
    unit: 'ops/s',
    keyhold: s.keyhold,
    baseline: s.baseline,
    baselineName: 'raw AES-256-GCM',
  });
  session.close();
}
