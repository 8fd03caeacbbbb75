import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreVault, Session } from '../../../electron/core/api/index.js';
import { newSession, tempDir, TEST_PASSWORD } from '../../helpers/vault.js';
import { caller, codeOf, type Call } from './helpers.js';

let session: Session;
let path: string;
let csms: Call;
const others: Session[] = [];

beforeEach(async () => {
  ({ session, path } = await newSession());
  csms = caller(session);
  await csms('create-secret', { name: 'db', secret_string: 'one' });
  await csms('create-secret-version', { secret_name: 'db', secret_string: 'two', version_stages: ['SYSCURRENT', 'blue'] });
});
afterEach(() => {
  session.close();
  for (const s of others.splice(0)) s.close();
});

async function backup(): Promise<string> {
  return (await csms('download-secret-blob', { secret_name: 'db' })).secret_blob;
}

describe('secret backup blobs', () => {
  it('restores a deleted secret with its versions, stages and values', async () => {
    const blob = await backup();
    expect(blob).toMatch(/^KHSB1\.[0-9a-f]{32}\.[A-Za-z0-9_-]+$/);
    expect(blob).not.toContain(Buffer.from('two').toString('base64'));
    const before = (await csms('show-secret', { secret_name: 'db' })).secret;
    await csms('delete-secret', { secret_name: 'db' });
    const { secret } = await csms('restore-secret-from-backup', { secret_blob: blob });
    expect(secret).toEqual(before);
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'latest' })).version.secret_string).toBe('two');
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'v1' })).version.secret_string).toBe('one');
    expect((await csms('show-secret-stage', { secret_name: 'db', stage_name: 'blue' })).stage.version_id).toBe('v2');
  });

  it('refuses to restore over an existing secret', async () => {
    expect(await codeOf(csms('upload-secret-blob', { secret_blob: await backup() }))).toBe('CSMS.0002');
  });

  it('refuses a tampered blob: any flipped character fails authentication', async () => {
    const blob = await backup();
    await csms('delete-secret', { secret_name: 'db' });
    const body = blob.split('.')[2] as string;
    for (const at of [0, Math.floor(body.length / 2), body.length - 2]) {
      const flipped = body[at] === 'A' ? 'B' : 'A';
      const tampered = `${blob.slice(0, blob.length - body.length)}${body.slice(0, at)}${flipped}${body.slice(at + 1)}`;
      await expect(csms('upload-secret-blob', { secret_blob: tampered })).rejects.toThrow(/does not authenticate/);
    }
    for (const junk of ['x', 'KHSB1.abc.def', `KHSB2${blob.slice(5)}`, blob.slice(0, 60)]) {
      expect(await codeOf(csms('upload-secret-blob', { secret_blob: junk }))).toBe('CSMS.0002');
    }
    expect(session.vault.ids('csms_secrets')).toEqual([]);
  });

  it('refuses a blob from another vault, even with its vault id swapped in', async () => {
    const blob = await backup();
    const other = (await newSession()).session;
    others.push(other);
    await expect(caller(other)('upload-secret-blob', { secret_blob: blob })).rejects.toThrow(/another vault/);
    const disguised = blob.replace(/^KHSB1\.[0-9a-f]{32}\./, `KHSB1.${other.vault.header.vault_id}.`);
    await expect(caller(other)('upload-secret-blob', { secret_blob: disguised })).rejects.toThrow(/does not authenticate/);
  });

  it('a vault restored from its backup can read the blobs of the original', async () => {
    const blob = await backup();
    const copy = join(tempDir(), 'backup.db');
    await caller(session, 'vault')('backup', { out: copy });
    const restoredPath = join(tempDir(), 'restored.db');
    copyFileSync(path, restoredPath);
    await restoreVault(copy, restoredPath, TEST_PASSWORD);
    const restored = await Session.open(restoredPath, { password: TEST_PASSWORD });
    others.push(restored);
    await caller(restored)('delete-secret', { secret_name: 'db' });
    await caller(restored)('upload-secret-blob', { secret_blob: blob });
    expect((await caller(restored)('show-secret-version', { secret_name: 'db', version_id: 'latest' })).version.secret_string).toBe('two');
  });
});

describe('blob parsing is total', () => {
  it('any string ends in a secret or CSMS.0002, never a crash', async () => {
    const fc = await import('fast-check');
    const blob = await backup();
    await csms('delete-secret', { secret_name: 'db' });
    const vaultId = session.vault.header.vault_id;
    const candidates = fc.oneof(
      fc.string(),
      fc.string().map((s) => `KHSB1.${vaultId}.${s}`),
      fc.base64String().map((s) => `KHSB1.${vaultId}.${s.replace(/=/g, '')}`),
      fc.nat({ max: blob.length - 1 }).map((i) => blob.slice(0, i)),
    );
    await fc.assert(
      fc.asyncProperty(candidates, async (s) => {
        const code = await codeOf(csms('upload-secret-blob', { secret_blob: s }));
        expect(code).toBe('CSMS.0002');
      }),
      { numRuns: 200 },
    );
  });
});
