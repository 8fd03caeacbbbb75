// The bundled CLI (scripts/build-cli.mjs) does what the tsx-run one does, and bin/keyhold.mjs picks
// it only while it is newer than every source file — never a stale bundle over an edited source.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, tempDir } from '../helpers/vault.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir('keyhold-cli-bundle-');
  dirs.push(d);
  return d;
}

function node(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('the bundled CLI', () => {
  it('builds, and runs init, a KMS round trip and an error exit like the tsx-run CLI', () => {
    const d = dir();
    // Two directories below a root with node_modules, as dist/cli/ sits in the project.
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(d, 'node_modules'));
    const bundle = join(d, 'dist', 'cli', 'keyhold.mjs');
    const built = node([join(PROJECT_ROOT, 'scripts', 'build-cli.mjs'), bundle]);
    expect(built.status, built.stderr).toBe(0);

    const env = { KEYHOLD_VAULT: join(d, 'v.db'), KEYHOLD_PASSWORD: 'bundle test password' };
    expect(node([bundle, 'init', '--kdf-target-ms', '10'], env).status).toBe(0);
    const created = node([bundle, 'kms', 'create-key', '--key-alias', 'bundled'], env);
    expect(created.status, created.stderr).toBe(0);
    const keyId = (JSON.parse(created.stdout) as { key_info: { key_id: string } }).key_info.key_id;
    const ct = JSON.parse(node([bundle, 'kms', 'encrypt-data', '--key-id', keyId, '--plain-text', 'hello'], env).stdout) as { cipher_text: string };
    const pt = JSON.parse(node([bundle, 'kms', 'decrypt-data', '--cipher-text', ct.cipher_text], env).stdout) as { plain_text: string };
    expect(pt.plain_text).toBe('hello');
    const bad = node([bundle, 'kms', 'create-key'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('key_alias');
  });
});

describe("the install script's bundle step", () => {
  it('with --optional, a missing esbuild (npm ci --omit=dev) is a note and status 0; without, a failure', () => {
    const d = dir();
    mkdirSync(join(d, 'scripts'));
    copyFileSync(join(PROJECT_ROOT, 'scripts', 'build-cli.mjs'), join(d, 'scripts', 'build-cli.mjs'));
    writeFileSync(join(d, 'package.json'), '{ "type": "module" }\n');
    const optional = node([join(d, 'scripts', 'build-cli.mjs'), '--optional']);
    expect(optional.status).toBe(0);
    expect(optional.stderr).toMatch(/the CLI bundle was not built .*tsx/);
    expect(node([join(d, 'scripts', 'build-cli.mjs')]).status).not.toBe(0);
  });
});

describe('bin/keyhold.mjs picks the bundle only while it is fresh', () => {
  /** A stand-in project: the real launcher, a "bundle" and a "source" that say which ran. */
  function project() {
    const d = dir();
    for (const sub of ['bin', 'dist/cli', 'electron/cli', 'shared']) mkdirSync(join(d, sub), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(d, 'node_modules'));
    copyFileSync(join(PROJECT_ROOT, 'bin', 'keyhold.mjs'), join(d, 'bin', 'keyhold.mjs'));
    writeFileSync(join(d, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(d, 'dist', 'cli', 'keyhold.mjs'), "console.log('bundle');\n");
    writeFileSync(join(d, 'electron', 'cli', 'main.ts'), "const from: string = 'source';\nconsole.log(from);\n");
    writeFileSync(join(d, 'shared', 'errors.ts'), 'export {};\n');
    writeFileSync(join(d, 'dist', 'cli', 'keyhold.inputs.json'), JSON.stringify(['electron/cli/main.ts', 'shared/errors.ts', 'node_modules/zod/index.js']));
    const at = (path: string, seconds: number) => utimesSync(join(d, path), seconds, seconds);
    const run = () => node([join(d, 'bin', 'keyhold.mjs')]).stdout.trim();
    return { d, at, run };
  }

  it('a bundle newer than every source runs', () => {
    const p = project();
    for (const f of ['electron/cli/main.ts', 'shared/errors.ts']) p.at(f, 1_000_000);
    p.at('dist/cli/keyhold.mjs', 2_000_000);
    expect(p.run()).toBe('bundle');
  });

  it('a source edited after the build (even one deep in shared/) wins: tsx runs it', () => {
    const p = project();
    p.at('electron/cli/main.ts', 1_000_000);
    p.at('dist/cli/keyhold.mjs', 2_000_000);
    p.at('shared/errors.ts', 3_000_000);
    expect(p.run()).toBe('source');
  });

  it('a source the bundle was built from that is gone, or an unknown list of sources: tsx runs the sources', () => {
    const p = project();
    for (const f of ['electron/cli/main.ts', 'shared/errors.ts']) p.at(f, 1_000_000);
    p.at('dist/cli/keyhold.mjs', 2_000_000);
    rmSync(join(p.d, 'shared', 'errors.ts'));
    expect(p.run()).toBe('source');
    const q = project();
    for (const f of ['electron/cli/main.ts', 'shared/errors.ts']) q.at(f, 1_000_000);
    q.at('dist/cli/keyhold.mjs', 2_000_000);
    rmSync(join(q.d, 'dist', 'cli', 'keyhold.inputs.json'));
    expect(q.run()).toBe('source');
  });

  it('an installed package without sources runs the bundle', () => {
    const p = project();
    p.at('dist/cli/keyhold.mjs', 1_000_000);
    p.at('shared/errors.ts', 3_000_000);
    rmSync(join(p.d, 'electron'), { recursive: true });
    expect(p.run()).toBe('bundle');
  });

  it('no bundle: tsx runs the source', () => {
    const p = project();
    rmSync(join(p.d, 'dist', 'cli', 'keyhold.mjs'));
    expect(p.run()).toBe('source');
  });
});
