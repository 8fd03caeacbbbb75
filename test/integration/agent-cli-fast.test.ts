/**
 * The CLI's fast path (electron/cli/fast-path.ts): with an agent serving the vault, a plain
 * operation is answered without loading the full CLI and the core at all — proved by building
 * the bundle into a scratch directory and deleting the full CLI's chunk: calls through the agent
 * still work there (results, validation errors and exit codes byte-identical to the complete
 * bundle), while anything the fast path leaves to the full CLI (--version, an alias, no agent)
 * needs the chunk. The list of the CLI's own commands the fast path keeps off is commands.ts's.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../electron/cli/commands.js';
import { COMMAND_WORDS, isCliCommand } from '../../electron/cli/command-words.js';
import { runtimeDir } from '../helpers/agent.js';
import { initVault, PROJECT_ROOT, tempDir, TEST_PASSWORD } from '../helpers/vault.js';

describe('the CLI fast path through the agent', () => {
  let full: string;
  let thin: string;
  let vault: string;
  let runtime: string;
  let agentPid = 0;

  const run = (bundle: string, args: string[], password?: string) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KEYHOLD_VAULT: vault,
      XDG_RUNTIME_DIR: runtime,
      ...(password ? { KEYHOLD_PASSWORD: password } : {}),
    };
    const r = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', env, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    // Two directories below a root with node_modules, as dist/cli/ sits in the project.
    const build = (d: string) => {
      symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(d, 'node_modules'));
      cpSync(join(PROJECT_ROOT, 'package.json'), join(d, 'package.json'));
      const bundle = join(d, 'dist', 'cli', 'keyhold.mjs');
      const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-cli.mjs'), bundle], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return bundle;
    };
    full = build(tempDir());
    const thinDir = tempDir();
    thin = build(thinDir);
    const chunks = readdirSync(join(thinDir, 'dist', 'cli')).filter((f) => f.startsWith('keyhold-full-'));
    expect(chunks).toHaveLength(1);
    rmSync(join(thinDir, 'dist', 'cli', chunks[0] as string));

    vault = initVault();
    runtime = runtimeDir();
    expect(run(full, ['kms', 'create-key', '--key-alias', 'fast'], TEST_PASSWORD).status).toBe(0);
    const started = run(full, ['agent', 'start'], TEST_PASSWORD);
    expect(started.status, started.stderr).toBe(0);
    agentPid = (JSON.parse(started.stdout) as { pid: number }).pid;
  });

  afterAll(() => {
    if (agentPid) run(full, ['agent', 'stop']);
  });

  it('answers operations through the agent without the full CLI, exactly as the full CLI does', () => {
    for (const args of [
      ['kms', 'list-keys'],
      ['kms', 'list-keys', '--output', 'text'],
      ['kms', 'list-keys', '--query', 'key_details[0].key_alias'],
      ['kms', 'describe-key', '--key-id', 'not-an-id'],
      ['kms', 'describe-key', '--key-id', '00000000-0000-0000-0000-000000000000'],
      ['kms', 'create-key'],
      ['ssh-agent', 'list-keys'],
    ]) {
      const a = run(thin, args);
      const b = run(full, args);
      expect(a, args.join(' ')).toEqual(b);
    }
    expect(run(thin, ['kms', 'list-keys']).stdout).toContain('"key_alias": "fast"');
  });

  it('leaves everything else to the full CLI (here: missing, so it fails)', () => {
    for (const args of [['--version'], ['kms', 'list-keys', 'extra'], ['kms', 'listKeys'], ['agent', 'status'], ['help']]) {
      const r = run(thin, args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
    }
  });

  it("knows the CLI's own commands as commands.ts lists them", () => {
    expect(COMMAND_WORDS.map((w) => w.join(' ')).sort()).toEqual(COMMANDS.map((c) => c.words.join(' ')).sort());
    expect(isCliCommand(['vault', 'remember'])).toBe(true);
    expect(isCliCommand(['vault', 'show'])).toBe(false);
  });
});
