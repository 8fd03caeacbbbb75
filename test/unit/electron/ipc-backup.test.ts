// Backup and restore in the desktop app (issue #24), through the real IPC handler: the backup is
// written only where a save dialog said; a restore reads only a file an open dialog picked
// (a page-made path, or a save dialog's token, is refused and changes nothing), takes the
// current master password, and leaves the vault locked, to open with the backup's password.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UiEvent, UiResult } from '../../../shared/ui/contract.js';
import { tempDir } from '../../helpers/vault.js';

vi.mock('electron', () => ({ app: {}, protocol: {} }));

const { handleCall } = await import('../../../electron/ipc.js');
const { PathTokens } = await import('../../../electron/ui/path-tokens.js');
const { Workspace } = await import('../../../electron/ui/workspace.js');

const PASSWORD = 'desktop master password';
const frame = { url: 'app://keyhold/index.html' };
const event = { sender: { mainFrame: frame }, senderFrame: frame } as never;

let dir: string;
let ws: InstanceType<typeof Workspace>;
let picked: string | null = null;
const events: UiEvent[] = [];
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
const error = (r: UiResult) => (r.ok ? null : r.error);
async function token(kind: 'open' | 'save', path: string): Promise<string> {
  picked = path;
  return value<{ token: string }>(await call(kind === 'open' ? 'dialog.open-file' : 'dialog.save-file', { title: 't', default_name: 'n' })).token;
}
const aliases = async () => value<{ key_details: { key_alias: string }[] }>(await call('listKeys', { limit: '100' })).key_details.map((k) => k.key_alias);

beforeAll(async () => {
  dir = tempDir();
  ws = new Workspace(join(dir, 'vault.db'), { transport: 'ipc', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
  ws.onEvent((e) => events.push(e));
  await ws.create(PASSWORD);
  value(await call('createKey', { key_alias: 'before-backup' }));
});
afterAll(() => ws.lock('closed'));

describe('backup and restore over IPC', () => {
  const backup = () => join(dir, 'backup.db');

  it('writes the backup where the save dialog said, and nowhere the page names', async () => {
    expect(error(await call('vaultBackup', { out: join(dir, 'page-made.db') }))?.message).toMatch(/Invalid parameter out/);
    expect(existsSync(join(dir, 'page-made.db'))).toBe(false);
    const r = value<{ bytes: number }>(await call('vaultBackup', { out: await token('save', backup()) }));
    expect(r.bytes).toBeGreaterThan(0);
    expect(existsSync(backup())).toBe(true);
  });

  it('refuses a restore from a page-made path, a save token, or without the current password; nothing changes', async () => {
    value(await call('createKey', { key_alias: 'after-backup' }));
    const page = await call('session.restore', { backup: backup(), current_password: PASSWORD, backup_password: PASSWORD });
    expect(error(page)?.message).toMatch(/Invalid parameter backup: choose the backup file with the dialog/);
    const save = await call('session.restore', { backup: await token('save', backup()), current_password: PASSWORD, backup_password: PASSWORD });
    expect(error(save)?.message).toMatch(/Invalid parameter backup/);
    const wrong = await call('session.restore', { backup: await token('open', backup()), current_password: 'not it', backup_password: PASSWORD });
    expect(error(wrong)?.code).toBe('VAULT.0101');
    const none = await call('session.restore', { backup: await token('open', backup()), backup_password: PASSWORD });
    expect(error(none)?.code).toBe('VAULT.0106');
    expect(ws.unlocked).toBe(true);
    expect(await aliases()).toContain('after-backup');
  });

  it("restores from an open dialog's token with the current password; the vault is then locked and opens with the backup's", async () => {
    const r = value<{ restored: boolean; records: number }>(
      await call('session.restore', { backup: await token('open', backup()), current_password: PASSWORD, backup_password: PASSWORD }),
    );
    expect(r.restored).toBe(true);
    expect(ws.unlocked).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'locked', reason: 'restore' });
    value(await call('session.unlock', { password: PASSWORD }));
    const now = await aliases();
    expect(now).toContain('before-backup');
    expect(now).not.toContain('after-backup');
  });
});
