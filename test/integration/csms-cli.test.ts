import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, initVault, tempDir } from '../helpers/vault.js';

describe('csms over the CLI', () => {
  it('runs the secret lifecycle with cloud names, flags and error shapes', () => {
    const vault = initVault();
    const created = cli(vault, ['csms', 'create-secret', '--name', 'db', '--secret-format', 'JSON', '--secret-string', '{"username":"app","password":"pw1"}']);
    expect(created.status).toBe(0);
    expect(created.json).toMatchObject({ secret: { name: 'db', state: 'ENABLED', secret_format: 'JSON' } });

    const v2 = cli(vault, [
      'csms',
      'create-secret-version',
      '--secret-name',
      'db',
      '--input-json',
      '{"secret_string":"{\\"username\\":\\"app\\",\\"password\\":\\"pw2\\"}"}',
    ]);
    expect(v2.json).toMatchObject({ version_metadata: { id: 'v2', version_stages: ['SYSCURRENT'] } });

    const latest = cli(vault, ['csms', 'show-secret-version', '--secret-name', 'db', '--version-id', 'latest']);
    expect(JSON.parse((latest.json as { version: { secret_string: string } }).version.secret_string)).toEqual({ username: 'app', password: 'pw2' });

    const listed = cli(vault, ['csms', 'list-secrets', '--limit', '10']);
    expect(listed.json).toMatchObject({ secrets: [{ name: 'db' }], page_info: { current_count: 1 } });
    expect(listed.stdout).not.toContain('pw2');

    const stage = cli(vault, ['csms', 'delete-secret-stage', '--secret-name', 'db', '--stage-name', 'SYSCURRENT']);
    expect(stage.status).toBe(2);
    expect(stage.error).toEqual({ error_code: 'CSMS.0105', error_msg: 'The built-in stage SYSCURRENT cannot be deleted.' });
    // CSMS errors are flat, unlike KMS's nested shape.
    expect(JSON.parse(stage.stderr)).toHaveProperty('error_code', 'CSMS.0105');

    const missing = cli(vault, ['csms', 'show-secret', '--secret-name', 'nope']);
    expect(missing.status).toBe(2);
    expect(missing.error?.error_code).toBe('CSMS.0106');

    const blob = cli(vault, ['csms', 'backup-secret', '--secret-name', 'db']);
    const secretBlob = (blob.json as { secret_blob: string }).secret_blob;
    expect(cli(vault, ['csms', 'delete-secret-for-schedule', '--secret-name', 'db', '--recovery-window-in-days', '7']).json).toMatchObject({
      secret: { state: 'PENDING_DELETE' },
    });
    expect(cli(vault, ['csms', 'restore-secret', '--secret-name', 'db']).json).toMatchObject({ secret: { state: 'ENABLED' } });
    expect(cli(vault, ['csms', 'delete-secret', '--secret-name', 'db']).json).toEqual({});
    expect(cli(vault, ['csms', 'upload-secret-blob', '--secret-blob', secretBlob]).json).toMatchObject({ secret: { name: 'db' } });
    expect(cli(vault, ['csms', 'list-secret-versions', '--secret-name', 'db']).json).toMatchObject({ page_info: { current_count: 2 } });

    // A value can come from a file, keeping it out of the command line and shell history.
    const file = join(tempDir(), 'value.txt');
    writeFileSync(file, 'from-a-file\n', { mode: 0o600 });
    expect(cli(vault, ['csms', 'create-secret', '--name', 'filed', '--secret-string-file', file]).status).toBe(0);
    expect(
      (cli(vault, ['csms', 'show-secret-version', '--secret-name', 'filed', '--version-id', 'v1']).json as { version: { secret_string: string } }).version
        .secret_string,
    ).toBe('from-a-file');

    const pw = cli(vault, ['csms', 'generate-random-password', '--length', '16', '--exclude-punctuation', 'true']);
    expect((pw.json as { password: string }).password).toMatch(/^[A-Za-z0-9]{16}$/);

    expect(cli(vault, ['audit', 'verify']).json).toMatchObject({ valid: true });
  });
});
