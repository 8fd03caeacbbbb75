/**
 * Key pairs: RSA-4096 generation against `ssh-keygen -t rsa -b 4096` (goal: at most 1.5× its
 * time, stated to the harness as a rate ratio ≥ 0.67), and PPK v3 encryption/decryption with
 * default Argon2 parameters against puttygen.
 * RSA generation time varies a lot from key to key (prime search), so both sides run many
 * alternating rounds and medians are compared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKey, writeKey } from '../../../electron/core/keypairs/formats/index.js';
import { generateKey } from '../../../electron/core/keypairs/generate.js';
import { PPK3_DEFAULTS } from '../../../electron/core/keypairs/formats/ppk.js';
import { median, type BenchReport } from '../harness.ts';

const RSA_ROUNDS = 9;
const PPK_ROUNDS = 7;

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function run(report: BenchReport): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-bench-kps-'));
  try {
    report.section('Key pairs');
    const keyhold: number[] = [];
    const sshKeygen: number[] = [];
    for (let r = 0; r < RSA_ROUNDS; r++) {
      // Keyhold: generate and write the OpenSSH private key file, as ssh-keygen does.
      keyhold.push(
        await timedAsync(async () => {
          const key = await generateKey('SSH_RSA_4096');
          writeFileSync(join(dir, `kh${r}`), await writeKey('openssh', { publicKey: key, privateKey: key }, { comment: '' }), { mode: 0o600 });
        }),
      );
      sshKeygen.push(timed(() => execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '4096', '-N', '', '-f', join(dir, `sk${r}`)], { stdio: 'ignore' })));
    }
    const k = median(keyhold);
    const s = median(sshKeygen);
    report.ratio({
      name: 'RSA-4096 key pair generation (key/s, median of 9)',
      unit: 'key/s',
      keyhold: 1000 / k,
      baseline: 1000 / s,
      baselineName: 'ssh-keygen -t rsa -b 4096',
      goal: 0.67,
    });
    report.value('  Keyhold median time', k, 'ms');
    report.value('  ssh-keygen median time', s, 'ms');

    const key = await generateKey('SSH_ED25519');
    const plain = join(dir, 'plain.ppk');
    writeFileSync(plain, await writeKey('ppk3', { publicKey: key, privateKey: key }, { comment: 'bench' }));
    const pf = join(dir, 'pass');
    const empty = join(dir, 'empty');
    writeFileSync(pf, 'bench passphrase');
    writeFileSync(empty, '');
    const encKh: number[] = [];
    const decKh: number[] = [];
    const encPg: number[] = [];
    const decPg: number[] = [];
    let puttyPasses = '';
    for (let r = 0; r < PPK_ROUNDS; r++) {
      let text = '';
      encKh.push(
        await timedAsync(
          async () => (text = await writeKey('ppk3', { publicKey: key, privateKey: key }, { comment: 'bench', passphrase: 'bench passphrase' })),
        ),
      );
      decKh.push(await timedAsync(() => readKey(text, 'bench passphrase')));
      const enc = join(dir, `pg${r}.ppk`);
      encPg.push(timed(() => execFileSync('puttygen', [plain, '-P', '--new-passphrase', pf, '-O', 'private', '-o', enc], { stdio: 'ignore' })));
      puttyPasses = /Argon2-Passes: (\d+)/.exec(readFileSync(enc, 'utf8'))?.[1] ?? '?';
      decPg.push(
        timed(() =>
          spawnSync('puttygen', [enc, '--old-passphrase', pf, '-P', '--new-passphrase', empty, '-O', 'private', '-o', join(dir, `pgd${r}.ppk`)], {
            stdio: 'ignore',
          }),
        ),
      );
    }
    report.ratio({
      name: `PPK v3 encrypt (Argon2id ${PPK3_DEFAULTS.memoryKiB} KiB × ${PPK3_DEFAULTS.passes} passes; puttygen chose ${puttyPasses} passes)`,
      unit: 'op/s',
      keyhold: 1000 / median(encKh),
      baseline: 1000 / median(encPg),
      baselineName: 'puttygen (process included)',
    });
    report.ratio({
      name: 'PPK v3 decrypt',
      unit: 'op/s',
      keyhold: 1000 / median(decKh),
      baseline: 1000 / median(decPg),
      baselineName: 'puttygen (process included)',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
