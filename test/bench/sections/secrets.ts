/**
 * Secrets: list-secrets on a vault of 10 000 secrets against one of 100, in the same run
 * (goal: at most 10× slower, i.e. a rate ratio ≥ 0.1), and create-secret-version throughput.
 * Listing reads only the page's metadata records (ids are paged without opening anything),
 * so the ratio should stay near 1.
 */
import type { Session } from '../../../electron/core/api/index.js';
import { newSession } from '../../helpers/vault.ts';
import { compare, opsPerSecond, type BenchReport } from '../harness.ts';

async function vaultWith(count: number): Promise<Session> {
  const { session } = await newSession();
  for (let start = 0; start < count; start += 1000) {
    const secrets = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({
      name: `secret-${String(start + i).padStart(6, '0')}`,
      secret_string: `value-${start + i}`,
    }));
    await session.invoke('batchImportSecrets', { secrets }, 'system');
  }
  return session;
}

export async function run(report: BenchReport): Promise<void> {
  report.section('secrets (CSMS)');
  const importStart = performance.now();
  const large = await vaultWith(10_000);
  report.value('batch-import-secrets, 10 000 secrets in batches of 1000', 10_000 / ((performance.now() - importStart) / 1000), 'secrets/s');
  const small = await vaultWith(100);
  try {
    const list = (s: Session) => async () => {
      await s.invoke('listSecrets', { limit: 50 }, 'system');
    };
    const { keyhold, baseline } = await compare(list(large), list(small), 1);
    report.ratio({
      name: 'list-secrets (first page of 50), 10 000 secrets vs 100',
      unit: 'lists/s',
      keyhold,
      baseline,
      baselineName: '100 secrets',
      goal: 0.1,
    });
    const middle = async () => {
      await large.invoke('listSecrets', { limit: 50, marker: 'secret-005000' }, 'system');
    };
    report.value('list-secrets (page after secret-005000), 10 000 secrets', await opsPerSecond(middle, 1), 'lists/s');
    let n = 0;
    const addVersion = async () => {
      await small.invoke('createSecretVersion', { secret_name: 'secret-000001', secret_string: `v${n++}` }, 'system');
    };
    report.value('create-secret-version (each its own durable transaction)', await opsPerSecond(addVersion, 1), 'versions/s');
  } finally {
    large.close();
    small.close();
  }
}
