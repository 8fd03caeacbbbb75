/**
 * CLI start-up: wall time of `keyhold --version` and of one `kms list-keys` (unlocking a vault
 * with a ~10 ms KDF) against `node -e 0` in the same run, through the bundle that `npm ci`
 * builds and through tsx (what runs when the bundle is missing or older than the sources).
 * Ratios are times the baseline's time: lower is better.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initVault, PROJECT_ROOT, TEST_PASSWORD } from '../../helpers/vault.ts';
import { median, type BenchReport } from '../harness.ts';

const ROUNDS = 9;

function wallMs(args: string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** Alternates the command and the baseline so drift on a shared machine hits both alike. */
function versus(args: string[], env: NodeJS.ProcessEnv): { keyhold: number; baseline: number } {
  const k: number[] = [];
  const b: number[] = [];
  wallMs(args, env);
  for (let i = 0; i < ROUNDS; i++) {
    k.push(wallMs(args, env));
    b.push(wallMs(['-e', '0'], env));
  }
  return { keyhold: median(k), baseline: median(b) };
}

export async function run(report: BenchReport): Promise<void> {
  report.section('CLI start-up (ms; ratio = times `node -e 0`, lower is better)');
  const bundle = join(PROJECT_ROOT, 'dist', 'cli', 'keyhold.mjs');
  if (!existsSync(bundle)) spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
  const vault = initVault();
  const env = { ...process.env, KEYHOLD_VAULT: vault, KEYHOLD_PASSWORD: TEST_PASSWORD };
  const launchers: [string, string[]][] = [
    ['bin/keyhold.mjs', [join(PROJECT_ROOT, 'bin', 'keyhold.mjs')]],
    ['bundle', [bundle]],
    ['tsx', ['--import', 'tsx', join(PROJECT_ROOT, 'electron', 'cli', 'main.ts')]],
  ];
  for (const [name, launcher] of launchers) {
    for (const [what, args] of [
      ['--version', ['--version']],
      ['kms list-keys', ['kms', 'list-keys']],
    ] as const) {
      const { keyhold, baseline } = versus([...launcher, ...args], env);
      report.ratio({ name: `keyhold ${what} via ${name}`, unit: 'ms', keyhold, baseline, baselineName: 'node -e 0' });
    }
  }
}
