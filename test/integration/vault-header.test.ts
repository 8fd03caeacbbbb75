// Every header field is authenticated: a field edited with SQLite (domain_id, project_id,
// created, the device wrapping, the MAC removed) is VAULT.0508 at the next unlock and in `vault
// verify`; a vault from before the MAC opens and gets one at its first write.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { LocalErrors } from '../../shared/errors.js';
import { cli, initVault, newSession, TEST_PASSWORD } from '../helpers/vault.js';

function editHeader(vault: string, edit: (h: Record<string, unknown>) => void): void {
  const db = new Database(vault);
  try {
    const h = JSON.parse((db.prepare("SELECT v FROM meta WHERE k = 'header'").get() as { v: string }).v) as Record<string, unknown>;
    edit(h);
    db.prepare("UPDATE meta SET v = ? WHERE k = 'header'").run(JSON.stringify(h));
  } finally {
    db.close();
  }
}

const FORGERIES: [string, (h: Record<string, unknown>) => void][] = [
  ['domain_id', (h) => (h.domain_id = 'f'.repeat(32))],
  ['project_id', (h) => (h.project_id = '0'.repeat(32))],
  ['created', (h) => (h.created = (h.created as number) - 86_400_000)],
  ['root_by_device (added)', (h) => (h.root_by_device = h.root_by_password)],
  ['header_mac (removed)', (h) => delete h.header_mac],
];

describe('vault header MAC', () => {
  it('refuses a vault with any header field edited (VAULT.0508) through the CLI, and opens it again once the field is put back', () => {
    const vault = initVault();
    const db = new Database(vault);
    const original = db.prepare("SELECT v FROM meta WHERE k = 'header'").pluck().get() as string;
    db.close();
    const putBack = () => editHeader(vault, (h) => Object.assign(h, JSON.parse(original) as Record<string, unknown>));
    for (const [what, edit] of FORGERIES) {
      editHeader(vault, edit);
      const r = cli(vault, [what === 'created' ? 'vault' : 'kms', what === 'created' ? 'verify' : 'list-keys']);
      expect(r.error?.error_code, what).toBe(LocalErrors.HeaderForged);
      expect(r.stdout).toBe('');
      // Remove what the forgery added, then restore every original field.
      editHeader(vault, (h) => delete h.root_by_device);
      putBack();
    }
    expect(cli(vault, ['vault', 'verify']).json).toMatchObject({ valid: true });
  });

  it('vault verify finds a field edited while the vault is open', async () => {
    const { session, path } = await newSession();
    await session.invoke('vaultVerify', {}, 'cli');
    editHeader(path, (h) => (h.domain_id = 'f'.repeat(32)));
    await expect(session.invoke('vaultVerify', {}, 'cli')).rejects.toMatchObject({ code: LocalErrors.HeaderForged });
    session.close();
  });

  it('opens a vault from before the MAC, gives its header one at the first write, and from then on refuses an edit', async () => {
    const { session, path } = await newSession();
    // An older vault: no MAC and no record saying it has one (removed through Keyhold, so the log agrees).
    await session.vault.write(
      (tx) => tx.delete('vault_meta', 'header_mac'),
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'test unseal', key_id: null, outcome: 'success', fields: {} }),
    );
    session.close();
    editHeader(path, (h) => delete h.header_mac);
    const s = await Session.open(path, { password: TEST_PASSWORD });
    expect(s.vault.header.header_mac).toMatch(/^[0-9a-f]{64}$/);
    expect(s.audit.list({ limit: 5, operation: 'vault seal header' }).events).toHaveLength(1);
    expect(await s.invoke('vaultVerify', {}, 'cli')).toMatchObject({ valid: true });
    s.close();
    editHeader(path, (h) => (h.project_id = '0'.repeat(32)));
    await expect(Session.open(path, { password: TEST_PASSWORD })).rejects.toMatchObject({ code: LocalErrors.HeaderForged });
  });

  it('keeps the MAC right through change-password, remember and forget device', async () => {
    const { session, path } = await newSession();
    await session.invoke('vaultChangePassword', { new_password: 'another password' }, 'cli');
    const store = new Map<string, string>();
    const keychain = {
      get: (a: string) => store.get(a) ?? null,
      set: (a: string, v: string) => void store.set(a, v),
      delete: (a: string) => void store.delete(a),
    };
    await session.rememberDevice(keychain);
    session.close();
    const secret = Buffer.from([...store.values()][0] as string, 'base64');
    (await Session.open(path, { deviceSecret: secret })).close();
    const s = await Session.open(path, { password: 'another password' });
    await s.forgetDevice(keychain);
    s.close();
    expect(await (await Session.open(path, { password: 'another password' })).call('vault', 'verify', {}, 'cli')).toMatchObject({ valid: true });
  });
});
