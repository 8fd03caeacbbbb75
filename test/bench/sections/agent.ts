/**
 * `npm run bench -- agent`: one `keyhold kms list-keys` through `keyhold agent` against the same
 * call unlocking the vault itself (Argon2id at the default cost), whole processes as a user runs
 * them, alternating in the same run; and a file job both ways, to show the agent's choice of
 * running file jobs itself costs no throughput. The CLI is the dist/cli bundle (built first), as
 * `npm start` leaves it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, type BenchReport } from '../harness.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'bin', 'keyhold.mjs');
const PASSWORD = 'bench agent password';
const ROUNDS = 9;
const FILE_MIB = 64;

function keyhold(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): { seconds: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KEYHOLD_AGENT_SOCK: '', ...env } });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`keyhold ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

export async function run(report: BenchReport): Promise<void> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build-cli.mjs failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-bench-agent-'));
  const vault = join(dir, 'vault.db');
  const withAgent = { KEYHOLD_VAULT: vault, XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'keyhold-run-')), KEYHOLD_PASSWORD: '' };
  // Another runtime directory: the vault's default socket is not found there, so each call unlocks.
  const perCall = { KEYHOLD_VAULT: vault, XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'keyhold-run-')), KEYHOLD_PASSWORD: PASSWORD };
  const { kdf } = JSON.parse(keyhold(['init'], perCall).stdout) as { kdf: { alg: string; m: number; t: number; p: number } };
  const key = (JSON.parse(keyhold(['kms', 'create-key', '--key-alias', 'bench'], perCall).stdout) as { key_info: { key_id: string } }).key_info.key_id;
  keyhold(['agent', 'start', '--idle-lock-seconds', '0'], { ...withAgent, KEYHOLD_PASSWORD: PASSWORD });
  try {
    report.section(
      `agent: one CLI call through \`keyhold agent\` vs unlocking the vault per call (${kdf.alg} m=${kdf.m} KiB t=${kdf.t}; dist/cli bundle, whole process)`,
    );
    const a: number[] = [];
    const b: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      a.push(keyhold(['kms', 'list-keys'], withAgent).seconds);
      b.push(keyhold(['kms', 'list-keys'], perCall).seconds);
      floor.push(keyhold(['--help'], perCall).seconds);
    }
    const [ma, mb] = [median(a), median(b)];
    report.value('kms list-keys through the agent, median', ma * 1000, 'ms');
    report.value('kms list-keys unlocking per call, median', mb * 1000, 'ms');
    // What any call costs before it does anything: node, the bundle and its native modules.
    report.value('keyhold --help (start-up alone), median', median(floor) * 1000, 'ms');
    report.ratio({ name: 'kms list-keys calls per second', unit: 'calls/s', keyhold: 1 / ma, baseline: 1 / mb, baselineName: 'unlock per call' });

    const plain = join(dir, 'plain.bin');
    const fd = openSync(plain, 'w');
    const block = randomBytes(8 << 20);
    for (let i = 0; i < FILE_MIB / 8; i++) writeSync(fd, block);
    closeSync(fd);
    const fa: number[] = [];
    const fb: number[] = [];
    for (let i = 0; i < 5; i++) {
      fa.push(keyhold(['file', 'encrypt', '--key-id', key, '--in', 'plain.bin', '--out', 'a.khef', '--force'], withAgent, dir).seconds);
      fb.push(keyhold(['file', 'encrypt', '--key-id', key, '--in', 'plain.bin', '--out', 'b.khef', '--force'], perCall, dir).seconds);
    }
    report.ratio({
      name: `file encrypt ${FILE_MIB} MiB, whole call (agent streams the file itself)`,
      unit: 'MB/s',
      keyhold: (FILE_MIB * 1.048576) / median(fa),
      baseline: (FILE_MIB * 1.048576) / median(fb),
      baselineName: 'unlock per call',
    });
  } finally {
    keyhold(['agent', 'stop'], withAgent);
    rmSync(dir, { recursive: true, force: true });
  }
}
