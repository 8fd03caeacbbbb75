/**
 * file: envelope encrypt and decrypt of 64 MiB and 1 GiB files (hot page cache), against the
 * raw node:crypto AES-256-GCM pipeline with the same frame size and against `age`, in the same
 * run, rounds alternating. Each job runs in its own process under /usr/bin/time, which gives
 * that process's peak RSS. Keyhold's and raw's times are of the job inside the process (no
 * node start, no vault unlock); age's is its whole process, whose start-up is a few ms.
 *
 * The node workers run as one esbuild bundle, as a packaged app runs its code: under tsx the
 * on-the-fly compiler alone adds ~30 MB to every process. The `keyhold` CLI itself is
 * measured too, start-up and unlock included, so its cost is on the record as well (bin/keyhold.mjs
 * runs the dist/cli bundle when one newer than the sources exists, as after `npm start`; the
 * bench builds it first).
 *
 * Free memory is primed before every run (see `primeFreeMemory`): on these VMs memory freed for
 * more than ~2 s goes back to the host, and writing a file into it costs up to ten times more.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../../electron/core/api/index.js';
import { nativeGcmStatus } from '../../../electron/core/crypto/gcm-into.js';
import { DEFAULT_FRAME_SIZE } from '../../../electron/core/envelope/pipeline.js';
import { PROJECT_ROOT, tempDir } from '../../helpers/vault.js';
import { median, type BenchReport } from '../harness.ts';

const MIB = 1024 * 1024;
const SIZES = [
  { label: '64 MiB', bytes: 64 * MIB, rounds: 6 },
  { label: '1 GiB', bytes: 1024 * MIB, rounds: 3 },
];
const PASSWORD = 'bench password';
const WORKER_SOURCE = join(PROJECT_ROOT, 'test', 'bench', 'file-worker.ts');
/** Inside the project so the bundle resolves its external packages from node_modules; dist/ is ignored. */
const WORKER = join(PROJECT_ROOT, 'dist', 'bench', 'file-worker.mjs');
const CLI = join(PROJECT_ROOT, 'bin', 'keyhold.mjs');

async function bundleWorker(): Promise<void> {
  // esbuild comes with tsx; it is what turns the TypeScript into the one file a package ships.
  const { build } = await import('esbuild');
  await build({ entryPoints: [WORKER_SOURCE], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: WORKER, logLevel: 'warning' });
}

interface Run {
  seconds: number;
  rssMiB: number;
  /** User + system CPU of the whole process: what the job costs a machine that is busy anyway. */
  cpuSeconds: number;
}

/** Runs `cmd` under /usr/bin/time; the job time is the worker's own report when it prints one. */
function timed(cmd: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', ...cmd], {
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('TIME '));
  if (r.status !== 0 || !line) throw new Error(`${cmd.join(' ')} failed: ${r.stderr.slice(0, 500)}`);
  const [, elapsed, maxKiB, user, sys] = line.split(' ');
  // Workers print {"ms"}; the CLI prints its result, which has no ms: then the wall time counts.
  const report = r.stdout.trim() ? (JSON.parse(r.stdout) as { ms?: number }) : {};
  return { seconds: report.ms !== undefined ? report.ms / 1000 : Number(elapsed), rssMiB: Number(maxKiB) / 1024, cpuSeconds: Number(user) + Number(sys) };
}

function fillFile(path: string, bytes: number, block = randomBytes(8 * MIB)): void {
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; done += block.length) writeSync(fd, block, 0, Math.min(block.length, bytes - done));
  closeSync(fd);
}

/**
 * These machines are VMs whose balloon device reports free memory back to the host about two
 * seconds after it is freed; a page the host took back costs a fault to the host when it is used
 * again. Measured: `dd` of 1 GiB into the page cache takes 0.34 s when the previous output was
 * deleted just before, 1.5–4.5 s when it was deleted seconds earlier, for every tool alike, so a
 * run's time depended on how long ago its predecessor finished. Writing and deleting a scratch
 * file of the output's size just before each run hands every tool the same memory, freshly
 * freed, as on a machine without a balloon.
 */
function primeFreeMemory(dir: string, bytes: number): void {
  const scratch = join(dir, 'prime.bin');
  fillFile(scratch, Math.ceil(bytes * 1.1), Buffer.alloc(8 * MIB));
  rmSync(scratch);
}

function warm(path: string): void {
  spawnSync('cat', [path], { stdio: ['ignore', 'ignore', 'ignore'] });
}

export async function run(report: BenchReport): Promise<void> {
  const gcm = nativeGcmStatus();
  const engine = gcm.loaded ? 'native/gcm' : `node:crypto (native/gcm not used: ${gcm.reason})`;
  report.section(
    `file: envelope encrypt/decrypt (frame ${DEFAULT_FRAME_SIZE / MIB} MiB, AES-GCM by ${engine}) vs raw AES-256-GCM pipeline vs age ${spawnSync('age', ['--version'], { encoding: 'utf8' }).stdout.trim()}`,
  );
  const dir = tempDir('keyhold-bench-file-');
  await bundleWorker();
  // The CLI as `npm start` leaves it: bundled, so bin/keyhold.mjs skips tsx.
  const cliBuild = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-cli.mjs')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (cliBuild.status !== 0) throw new Error(`scripts/build-cli.mjs failed: ${cliBuild.stderr}`);
  const cliLoader = 'dist/cli bundle';
  try {
    const vault = join(dir, 'vault.db');
    const session = await Session.create(vault, PASSWORD, { kdfTargetMs: 10 });
    const { key_info } = await session.invoke('createKey', { key_alias: 'bench-file' }, 'ipc');
    session.close();
    const identity = join(dir, 'age-identity.txt');
    spawnSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
    const recipient = spawnSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).stdout.trim();
    const rawKey = randomBytes(32).toString('hex');
    const node = [process.execPath, WORKER];

    const rss: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    for (const size of SIZES) {
      const plain = join(dir, 'plain.bin');
      const enc = join(dir, 'enc.bin');
      const dec = join(dir, 'dec.bin');
      fillFile(plain, size.bytes);
      const jobs = {
        encrypt: {
          keyhold: () => timed([...node, 'keyhold', vault, PASSWORD, 'encrypt', plain, enc, key_info.key_id]),
          copy: () => timed([...node, 'copy', plain, enc]),
          raw: () => timed([...node, 'raw', 'encrypt', plain, enc, String(DEFAULT_FRAME_SIZE), rawKey]),
          age: () => timed(['age', '-r', recipient, '-o', enc, plain]),
        },
        decrypt: {
          keyhold: () => timed([...node, 'keyhold', vault, PASSWORD, 'decrypt', `${enc}.keyhold`, dec]),
          copy: () => timed([...node, 'copy', `${enc}.keyhold`, dec]),
          raw: () => timed([...node, 'raw', 'decrypt', `${enc}.raw`, dec, String(DEFAULT_FRAME_SIZE), rawKey]),
          age: () => timed(['age', '-d', '-i', identity, '-o', dec, `${enc}.age`]),
        },
      };
      // Ciphertexts each decrypt run reads, made once per tool.
      for (const [tool, args] of [
        ['keyhold', [...node, 'keyhold', vault, PASSWORD, 'encrypt', plain, `${enc}.keyhold`, key_info.key_id]],
        ['raw', [...node, 'raw', 'encrypt', plain, `${enc}.raw`, String(DEFAULT_FRAME_SIZE), rawKey]],
        ['age', ['age', '-r', recipient, '-o', `${enc}.age`, plain]],
      ] as const) {
        timed([...args]);
        warm(`${enc}.${tool}`);
      }
      warm(plain);
      // The inputs just written are still being flushed: measure once the disk is quiet.
      spawnSync('sync');
      for (const op of ['encrypt', 'decrypt'] as const) {
        const times: Record<string, number[]> = { keyhold: [], raw: [], age: [], copy: [] };
        const tools = ['keyhold', 'raw', 'age', 'copy'] as const;
        for (let r = 0; r < size.rounds; r++) {
          // The order rotates each round, so no tool always runs after the same one: a run
          // inherits the page cache and free memory its predecessor left.
          for (const tool of tools.map((_, i) => tools[(i + r) % tools.length]!)) {
            primeFreeMemory(dir, size.bytes);
            const result = jobs[op][tool]();
            times[tool]!.push(result.seconds);
            (rss[`${tool} ${op} ${size.label}`] ??= []).push(result.rssMiB);
            (cpu[`${tool} ${op} ${size.label}`] ??= []).push(result.cpuSeconds);
            rmSync(op === 'encrypt' ? enc : dec, { force: true });
            // Each run starts with no dirty pages left by the one before (its output flushed).
            spawnSync('sync');
          }
        }
        const mbps = (tool: string) => size.bytes / 1e6 / median(times[tool]!);
        report.ratio({ name: `${op} ${size.label}`, unit: 'MB/s', keyhold: mbps('keyhold'), baseline: mbps('age'), baselineName: 'age', goal: 1.2 });
        report.ratio({
          name: `${op} ${size.label}`,
          unit: 'MB/s',
          keyhold: mbps('keyhold'),
          baseline: mbps('raw'),
          baselineName: 'raw AES-256-GCM pipeline',
          goal: 0.8,
        });
        // No goal: the ceiling. If Keyhold's I/O path alone is not 1.2× age, no cipher makes it so.
        report.ratio({
          name: `${op} ${size.label} (ceiling: Keyhold's I/O path, no cipher)`,
          unit: 'MB/s',
          keyhold: mbps('copy'),
          baseline: mbps('age'),
          baselineName: 'age',
        });
      }
      // The CLI as a user runs it: node start, loading, vault unlock and the job, one process.
      const cliRun = timed([process.execPath, CLI, '--vault', vault, 'file', 'encrypt', '--key-id', key_info.key_id, '--in', plain, '--out', enc], {
        KEYHOLD_PASSWORD: PASSWORD,
      });
      rmSync(enc, { force: true });
      report.value(`keyhold CLI file encrypt ${size.label} (whole process: start, ${cliLoader}, unlock, job)`, size.bytes / 1e6 / cliRun.seconds, 'MB/s');
      (rss[`keyhold CLI (${cliLoader}) encrypt ${size.label}`] ??= []).push(cliRun.rssMiB);
      if (size === SIZES[0]) {
        // Correctness of what was measured: Keyhold's decryption of its own ciphertext.
        timed([...node, 'keyhold', vault, PASSWORD, 'decrypt', `${enc}.keyhold`, dec]);
        if (!readFileSync(dec).equals(readFileSync(plain))) throw new Error('keyhold decrypt did not round-trip');
      }
      for (const f of [plain, enc, dec, `${enc}.keyhold`, `${enc}.raw`, `${enc}.age`]) rmSync(f, { force: true });
    }
    for (const [name, values] of Object.entries(rss)) report.value(`peak RSS ${name}`, Math.max(...values), 'MiB');
    for (const [name, values] of Object.entries(cpu)) report.value(`CPU (user+sys, whole process, median) ${name}`, median(values), 's');
    for (const op of ['encrypt', 'decrypt']) {
      const peaks = SIZES.map((s) => Math.max(...(rss[`keyhold ${op} ${s.label}`] ?? [0])));
      const flat = Math.max(...peaks) - Math.min(...peaks);
      const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
      report.value(
        `keyhold ${op} peak RSS spread 64 MiB → 1 GiB (flat within 10 MiB: ${met(flat <= 10)}; all ≤ 100 MiB: ${met(Math.max(...peaks) <= 100)})`,
        flat,
        'MiB',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
