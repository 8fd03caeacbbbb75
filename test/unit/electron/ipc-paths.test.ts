// The desktop IPC door never takes a path from the page (issue #16): through the real
// handler, every file operation refuses a page-chosen path and touches nothing; a dialog's
// token works once, only for what the dialog was opened for, and the page never sees the path.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UiResult } from '../../../shared/ui/contract.js';
import { tempDir } from '../../helpers/vault.js';

vi.mock('electron', () => ({ app: {}, protocol: {} }));

const { handleCall } = await import('../../../electron/ipc.js');
const { listOperations } = await import('../../../electron/core/api/index.js');
const { IPC_PATH_FIELDS, PathTokens } = await import('../../../electron/ui/path-tokens.js');
const { Workspace } = await import('../../../electron/ui/workspace.js');

const frame = { url: 'app://keyhold/index.html' };
const event = { sender: { mainFrame: frame }, senderFrame: frame } as never;

let dir: string;
let ws: InstanceType<typeof Workspace>;
let keyId: string;
/** What the OS dialog "returns" next: the path the user picks. */
let picked: string | null = null;
const shell = {
  paths: new PathTokens(),
  clipboard: { write: async () => undefined, clear: async () => false },
  dialogs: { open: async () => picked, save: async () => picked },
};
const call = (op: string, input: unknown) => handleCall(ws, event, { op, input }, shell);
const value = <T>(r: UiResult): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};

beforeAll(async () => {
  dir = tempDir();
  ws = new Workspace(join(dir, 'vault.db'), { transport: 'ipc', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
  await ws.create('desktop master password');
  keyId = value<{ key_info: { key_id: string } }>(await call('createKey', { key_alias: 'files' })).key_info.key_id;
});
afterAll(() => ws.lock('closed'));

describe('IPC path tokens', () => {
  it('lists the path fields of every operation that works on files', () => {
    const onFiles = listOperations().filter((op) => op.decl.localFiles || op.decl.localFileFields?.length);
    expect(onFiles.map((op) => op.key).sort()).toEqual(Object.keys(IPC_PATH_FIELDS).sort());
  });

  it('refuses a page-chosen path in every path field of every file operation', async () => {
    for (const [op, fields] of Object.entries(IPC_PATH_FIELDS)) {
      for (const field of Object.keys(fields)) {
        const r = await call(op, { [field]: join(dir, 'page-chose-this') });
        expect([op, field, r.ok]).toEqual([op, field, false]);
        if (!r.ok) expect([op, r.error.message]).toEqual([op, expect.stringMatching(new RegExp(`Invalid parameter ${field}|choose the file`))]);
      }
    }
  });

  it('the attacks of #16: kpsConvert copying a private key, fileEncrypt overwriting .bashrc', async () => {
    const idKey = join(dir, 'id_ed25519');
    const copy = join(dir, 'stolen.pem');
    const bashrc = join(dir, '.bashrc');
    writeFileSync(idKey, 'not really a key, but it must not be read');
    writeFileSync(bashrc, 'export PS1=safe\n');
    const convert = await call('kpsConvert', { in: idKey, to: 'pem', out: copy });
    expect(convert.ok).toBe(false);
    expect(existsSync(copy)).toBe(false);
    const encrypt = await call('fileEncrypt', { key_id: keyId, in: idKey, out: bashrc });
    expect(encrypt.ok).toBe(false);
    expect(readFileSync(bashrc, 'utf8')).toBe('export PS1=safe\n');
  });

  it('a dialog gives a token and the name, never the path; the token works once', async () => {
    const plain = join(dir, 'report.txt');
    const sealed = join(dir, 'report.txt.khenc');
    writeFileSync(plain, 'quarterly numbers');
    picked = plain;
    const opened = value<{ token: string; name: string }>(await call('dialog.open-file', { title: 'Choose a file' }));
    expect(opened.name).toBe('report.txt');
    expect(JSON.stringify(opened)).not.toContain(dir);
    picked = sealed;
    const saved = value<{ token: string; name: string }>(await call('dialog.save-file', { title: 'Save as', default_name: 'report.txt.khenc' }));
    const ok = await call('fileEncrypt', { key_id: keyId, in: opened.token, out: saved.token });
    expect(ok.ok).toBe(true);
    expect(existsSync(sealed)).toBe(true);
    const again = await call('fileEncrypt', { key_id: keyId, in: opened.token, out: saved.token });
    expect(again.ok).toBe(false);
  });

  it('a token is bound to what its dialog was opened for: a file picked to read cannot be written', async () => {
    const victim = join(dir, 'picked-to-read.txt');
    writeFileSync(victim, 'keep me');
    picked = victim;
    const readToken = value<{ token: string }>(await call('dialog.open-file', { title: 'Choose a file' })).token;
    const alsoRead = value<{ token: string }>(await call('dialog.open-file', { title: 'Choose a file' })).token;
    const r = await call('fileEncrypt', { key_id: keyId, in: alsoRead, out: readToken });
    expect(r.ok).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('a cancelled dialog gives no token', async () => {
    picked = null;
    expect(value(await call('dialog.open-file', { title: 'x' }))).toEqual({ token: null, name: null });
  });

  it('without the shell (no dialogs) no file operation runs over IPC', async () => {
    const r = await handleCall(ws, event, { op: 'kpsInspect', input: { in: join(dir, 'id_ed25519') } }, null);
    expect(r.ok).toBe(false);
  });
});

describe('IPC change-password', () => {
  it('needs the current master password, and the policy holds for the new one', async () => {
    const noCurrent = await call('vaultChangePassword', { new_password: 'a new desktop password' });
    expect(noCurrent).toMatchObject({ ok: false, error: { code: 'VAULT.0106' } });
    const wrong = await call('vaultChangePassword', { current_password: 'not the password', new_password: 'a new desktop password' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VAULT.0101' } });
    const weak = await call('vaultChangePassword', { current_password: 'desktop master password', new_password: 'short' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'VAULT.0108' } });
    expect(await call('vaultChangePassword', { current_password: 'desktop master password', new_password: 'a new desktop password' })).toMatchObject({
      ok: true,
    });
    await ws.lock('user');
    expect(await call('session.unlock', { password: 'a new desktop password' })).toMatchObject({ ok: true });
  });
});
