// The CLI as a daily tool (issue #21): pipes, stdin, help, completion, output formats, signals.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, initVault, PROJECT_ROOT, TEST_PASSWORD, tempDir } from '../helpers/vault.js';

const BIN = join(PROJECT_ROOT, 'bin', 'keyhold.mjs');

function createKey(vault: string, alias: string): string {
  const r = cli(vault, ['kms', 'create-key', '--key-alias', alias]);
  expect(r.status, r.stderr).toBe(0);
  return (r.json as { key_info: { key_id: string } }).key_info.key_id;
}

describe('a closed stdout', () => {
  it('`keyhold ops | head -1` ends quietly with status 0', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${BIN}" ops | head -1`], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.stdout).toBe('[\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a reader that closed before the result is written: status 0, no stack trace', async () => {
    const vault = initVault();
    createKey(vault, 'piped');
    const { child, done } = cliAsync(vault, ['kms', 'list-keys']);
    child.stdout?.destroy();
    const r = await done;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('help and flags', () => {
  it('`help`, `--help` and a bare `keyhold` print the global usage with services and commands', () => {
    for (const args of [['help'], ['--help'], []]) {
      const r = cli('/nonexistent/v.db', args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Services:\n {2}kms +keys:/m);
      expect(r.stdout).toMatch(/^ {2}completion +a shell completion script/m);
      expect(r.stdout).toContain('--query JMESPATH');
    }
  });

  it('`kms --help` and `remote --help` list their operations with summaries', () => {
    const kms = cli('/nonexistent/v.db', ['kms', '--help']);
    expect(kms.status).toBe(0);
    expect(kms.stdout).toMatch(/^ {2}encrypt-data +Encrypt up to 4096 bytes/m);
    expect(kms.stdout).not.toMatch(/^ {2}add /m);
    const remote = cli('/nonexistent/v.db', ['remote', '--help']);
    expect(remote.stdout).toMatch(/^ {2}sync +/m);
    expect(remote.stdout).not.toMatch(/encrypt-data/);
    expect(cli('/nonexistent/v.db', ['help', 'kms']).stdout).toBe(kms.stdout);
  });

  it('`SERVICE OP --help` is readable text with type, required, allowed values, limits and an example; --output json keeps the JSON', () => {
    const r = cli('/nonexistent/v.db', ['kms', 'encrypt-data', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--key-id STRING  (required)');
    expect(r.stdout).toMatch(
      /--encryption-algorithm STRING\n.*\n\s+Allowed: SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, SM2_ENCRYPT\n\s+Default: SYMMETRIC_DEFAULT/,
    );
    expect(r.stdout).toContain('Limits: length at most 36');
    expect(r.stdout).toMatch(/Example:\n {2}keyhold kms encrypt-data --key-id [0-9a-f-]{36} --plain-text hello\n/);
    const sync = cli('/nonexistent/v.db', ['help', 'remote', 'sync']).stdout;
    expect(sync).toMatch(/--service STRING {2}\(required\)\n.*\n\s+Allowed: kms, csms, kps/);
    const json = cli('/nonexistent/v.db', ['kms', 'encrypt-data', '--help', '--output', 'json']);
    expect(json.json).toMatchObject({
      service: 'kms',
      operation: 'encrypt-data',
      fields: expect.arrayContaining([{ name: 'key_id', flag: '--key-id', type: 'string', required: true }]),
    });
  });

  it('--version prints the version; an unknown global flag exits 2 naming it', () => {
    const v = cli('/nonexistent/v.db', ['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^keyhold 0\.\d+\.\d+ \(node v\d+/);
    for (const args of [['--bogus', 'kms', 'list-keys'], ['--bogus']]) {
      const r = cli('/nonexistent/v.db', args);
      expect(r.status).toBe(2);
      expect(r.error?.error_msg).toContain('--bogus');
      expect(r.stdout).toBe('');
    }
  });

  it('`ops kms` and `ops --service kms` list only KMS; an unknown service is refused', () => {
    for (const args of [
      ['ops', 'kms'],
      ['ops', '--service', 'kms'],
    ]) {
      const list = cli('/nonexistent/v.db', args).json as { service: string }[];
      expect(list.length).toBeGreaterThan(30);
      expect(new Set(list.map((o) => o.service))).toEqual(new Set(['kms']));
    }
    expect(cli('/nonexistent/v.db', ['ops', 'kmz']).status).toBe(2);
  });

  it('a missing required option is reported as missing, before the vault is opened', () => {
    const r = cli('/nonexistent/v.db', ['remote', 'sync', '--name', 'x']);
    expect(r.status).toBe(2);
    expect(r.error?.error_msg).toBe('Missing parameter: service is required.');
  });
});

describe('completion', () => {
  /** Runs bash's completion function for the words typed so far, as readline would. */
  function complete(script: string, words: string[]): string[] {
    const file = join(tempDir(), 'keyhold.bash');
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync(
      'bash',
      ['-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _keyhold; printf '%s\\n' "\${COMPREPLY[@]}"`],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  }

  it('the bash script passes `bash -n` and completes services, operations, flags and enum values', () => {
    const script = cli('/nonexistent/v.db', ['completion', 'bash']).stdout;
    const file = join(tempDir(), 'keyhold.bash');
    writeFileSync(file, script);
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    expect(complete(script, ['keyhold', 'kms', 'enc'])).toEqual(['encrypt-data', 'encrypt-datakey']);
    expect(complete(script, ['keyhold', 'cs'])).toEqual(['csms']);
    expect(complete(script, ['keyhold', '--vault', '/x', 'kms', 'list-key']).sort()).toEqual(['list-key-stores', 'list-keys']);
    expect(complete(script, ['keyhold', 'kms', 'create-key', '--key-sp'])).toEqual(['--key-spec']);
    expect(complete(script, ['keyhold', 'kms', 'create-key', '--key-spec', 'EC'])).toEqual(['EC_P256', 'EC_P384']);
    expect(complete(script, ['keyhold', '--output', 't'])).toEqual(['text', 'table']);
    expect(complete(script, ['keyhold', 'vault', 're'])).toEqual(['restore', 'remember']);
  });

  it('zsh runs the same function through bashcompinit; fish completes natively; an unknown shell is refused', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '_keyhold'), cli('/nonexistent/v.db', ['completion', 'zsh']).stdout);
    expect(spawnSync('zsh', ['-n', join(dir, '_keyhold')]).status).toBe(0);
    // zsh filters the function's words by the typed prefix itself; here the function must find
    // the operation (zsh numbers arrays from 1) and offer that field's values.
    const zsh = spawnSync(
      'zsh',
      [
        '-c',
        `autoload -U compinit && compinit -u -d '${dir}/zcd'; source '${dir}/_keyhold'; COMP_WORDS=(keyhold kms create-key --key-spec EC); COMP_CWORD=4; _keyhold; print -l -- $COMPREPLY`,
      ],
      { encoding: 'utf8' },
    );
    expect(zsh.status, zsh.stderr).toBe(0);
    expect(zsh.stdout.split('\n')).toEqual(expect.arrayContaining(['EC_P256', 'EC_P384', 'AES_256']));
    writeFileSync(join(dir, 'keyhold.fish'), cli('/nonexistent/v.db', ['completion', 'fish']).stdout);
    expect(spawnSync('fish', ['-n', join(dir, 'keyhold.fish')]).status).toBe(0);
    const fish = (line: string) => {
      const r = spawnSync('fish', ['-c', `source '${dir}/keyhold.fish'; complete -C '${line}'`], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    };
    expect(fish('keyhold kms enc')).toEqual(['encrypt-data', 'encrypt-datakey']);
    expect(fish('keyhold kms create-key --key-spec EC')).toEqual(['EC_P256', 'EC_P384']);
    expect(fish('keyhold --output t')).toEqual(['table', 'text']);
    expect(cli('/nonexistent/v.db', ['completion', 'tcsh']).status).toBe(2);
  });
});

describe('output formats and --query', () => {
  it('text is tab-separated, one row per list item; table is aligned; --query selects first', () => {
    const vault = initVault();
    const a = createKey(vault, 'alpha');
    const b = createKey(vault, 'beta');
    const text = cli(vault, ['kms', 'list-keys', '--query', "key_details[?starts_with(key_alias, 'kms/') == `false`].[key_alias, key_id]", '--output', 'text']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toBe(`alpha\t${a}\nbeta\t${b}\n`);
    const ids = cli(vault, ['kms', 'list-keys', '--output', 'text'])
      .stdout.split('\n')
      .filter((l) => l.startsWith('KEYS\t'));
    expect(ids).toHaveLength(1);
    expect(ids[0]?.split('\t')).toEqual(expect.arrayContaining(['KEYS', a, b]));
    const table = cli(vault, [
      'kms',
      'list-keys',
      '--output',
      'table',
      '--query',
      "key_details[?key_alias=='alpha' || key_alias=='beta'].{alias: key_alias, id: key_id}",
    ]);
    expect(table.stdout).toBe(['alias  id', `-----  ${'-'.repeat(36)}`, `alpha  ${a}`, `beta   ${b}`, ''].join('\n'));
    const bad = cli(vault, ['kms', 'create-key', '--key-alias', 'never', '--query', 'key_info.[']);
    expect(bad.status).toBe(2);
    expect(bad.error?.error_msg).toContain('--query');
    expect(cli(vault, ['kms', 'list-keys', '--query', 'key_details[].key_alias']).json).not.toContain('never');
  });

  it('a multi-line secret cannot fake rows in text output', () => {
    const vault = initVault();
    const hostile = 'first\nSECRET_STRING\tinjected\r\nlast\\n';
    expect(cli(vault, ['csms', 'create-secret', '--name', 'ml', '--secret-string', hostile]).status).toBe(0);
    const r = cli(vault, ['csms', 'show-secret-version', '--secret-name', 'ml', '--version-id', 'latest', '--output', 'text']);
    const rows = r.stdout.split('\n').filter(Boolean);
    expect(rows.filter((l) => l.startsWith('VERSION\t'))).toEqual(['VERSION\tfirst\\nSECRET_STRING\\tinjected\\r\\nlast\\\\n']);
    expect(rows.some((l) => l.startsWith('SECRET_STRING'))).toBe(false);
  });
});

describe('standard input', () => {
  it('`--secret-string-file -` and `--input-json @-` read stdin', () => {
    const vault = initVault();
    expect(cli(vault, ['csms', 'create-secret', '--name', 's1', '--secret-string-file', '-'], { input: 'from stdin\n' }).status).toBe(0);
    const shown = cli(vault, ['csms', 'show-secret-version', '--secret-name', 's1', '--version-id', 'latest', '--query', 'version.secret_string']);
    expect(shown.json).toBe('from stdin');
    const created = cli(vault, ['kms', 'create-key', '--input-json', '@-'], { input: '{"key_alias":"from-stdin"}' });
    expect(created.status, created.stderr).toBe(0);
    const id = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    expect(cli(vault, ['kms', 'describe-key', '--key-id', id, '--query', 'key_info.key_alias']).json).toBe('from-stdin');
  });

  it('stdin used twice is refused, naming both readers, before anything is read as a password', () => {
    const vault = initVault();
    for (const file of ['-', '/dev/stdin']) {
      const r = cli(vault, ['--password-stdin', 'csms', 'create-secret', '--name', 's2', '--secret-string-file', file], {
        input: `${TEST_PASSWORD}\n`,
        password: '',
      });
      expect(r.status).toBe(2);
      expect(r.error?.error_msg).toMatch(/Standard input is used twice: by --secret-string-file \S+ and by --password-stdin/);
    }
    expect(cli(vault, ['csms', 'list-secrets', '--query', 'secrets[].name']).json).toEqual([]);
  });
});

describe('signals during file jobs', () => {
  async function interrupted(signal: NodeJS.Signals) {
    const vault = initVault();
    const key = createKey(vault, 'files');
    const dir = tempDir();
    const input = join(dir, 'big');
    // A sparse 4 GiB input: long enough to be caught mid-job without writing it first.
    spawnSync('truncate', ['-s', '4G', input]);
    const { child, done } = cliAsync(vault, ['file', 'encrypt', '--key-id', key, '--in', input, '--out', join(dir, 'big.khe')]);
    const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    while (temps().length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(temps()[0]).toMatch(new RegExp(`^\\.big\\.khe\\.keyhold-${child.pid}-[0-9a-f]+\\.tmp$`));
    child.kill(signal);
    const r = await done;
    return { r, dir, temps: temps() };
  }

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} cancels the job: no temp file, no output`, async () => {
      const { r, dir, temps } = await interrupted(signal);
      expect(r.error?.error_code).toBe('FILE.0301');
      expect(temps).toEqual([]);
      expect(existsSync(join(dir, 'big.khe'))).toBe(false);
    }, 60_000);
  }

  it('the next run to an output removes the temp files of dead processes, not of live ones', () => {
    const vault = initVault();
    const key = createKey(vault, 'files');
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'data');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const deadTemp = `.a.khe.keyhold-${dead}-0a1b2c3d4e5f.tmp`;
    const liveTemp = `.a.khe.keyhold-${process.pid}-0a1b2c3d4e5f.tmp`;
    const otherTemp = `.b.khe.keyhold-${dead}-0a1b2c3d4e5f.tmp`;
    for (const f of [deadTemp, liveTemp, otherTemp]) writeFileSync(join(dir, f), 'half-written');
    const r = cli(vault, ['file', 'encrypt', '--key-id', key, '--in', join(dir, 'a'), '--out', join(dir, 'a.khe')]);
    expect(r.status, r.stderr).toBe(0);
    const left = readdirSync(dir);
    expect(left).not.toContain(deadTemp);
    expect(left).toContain(liveTemp);
    expect(left).toContain(otherTemp);
  });
});

describe('remote add and cleartext endpoints', () => {
  const base = ['remote', 'add', '--project-id', 'p1', '--access-key', 'AK', '--secret-key', 'SK'];

  it('warns on stderr for http:// to another host, and --require-tls refuses it without storing it', () => {
    const vault = initVault();
    const warned = cli(vault, [...base, '--name', 'lab', '--endpoint', 'http://10.1.2.3:8443']);
    expect(warned.status, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/warning: --endpoint http:\/\/10\.1\.2\.3:8443 is cleartext HTTP/);
    const refused = cli(vault, [...base, '--name', 'lab2', '--endpoint', 'http://10.1.2.3:8443', '--require-tls']);
    expect(refused.status).toBe(2);
    expect(refused.error?.error_msg).toContain('--require-tls');
    const names = cli(vault, ['remote', 'list', '--query', 'remotes[].name']).json;
    expect(names).toEqual(['lab']);
  });

  it('says nothing for https:// or for loopback', () => {
    const vault = initVault();
    for (const [name, endpoint] of [
      ['a', 'https://10.1.2.3:8443'],
      ['b', 'http://127.0.0.1:8080'],
      ['c', 'http://[::1]:8080'],
      ['d', 'http://localhost:1'],
    ]) {
      const r = cli(vault, [...base, '--name', name as string, '--endpoint', endpoint as string, '--require-tls']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
  });
});
