// Servers, remotes and key stores in web mode (issue 24, and issue 23's Keys screen), against a
// real sshd on 127.0.0.1 (test/helpers/sshd.ts; needs root, else the sshd test is skipped):
// - the host key the server presents is shown before anything is pinned, and it is the
//   fingerprint `ssh-keygen -lf` computes from the server's host key file; after the pin the
//   button does not offer to accept a changed key; once the server's key really changes, the
//   pinned and presented fingerprints are shown side by side and the new one accepted on confirmation;
// - a key pair bound with the password, then a second one bound logging in with the first one
//   chosen from the vault; real `ssh -i` logs in with the second and no longer with the first;
//   the first bound again logging in with the second pasted as an encrypted key with its passphrase;
//   a wrong password's failure in words with its codes;
// - the vault's project id on Remotes, equal to what `keyhold vault show` answers;
// - the key stores panel: Keyhold's own store, a PKCS#11 store made from the CLI shown with the
//   reason its token cannot be reached by this server, the store of each key; creating a
//   PKCS#11 store over HTTP refused by the server itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { canRunSshd, TestSshd } from '../helpers/sshd.js';
import { shot } from './shots.js';
import { openVault, PASSWORD } from './vault.js';

const BIN = join(import.meta.dirname, '../../bin/keyhold.mjs');

/** One UI call from the signed-in page, as the renderer makes it (same origin, the UI header). */
async function uiCall(page: Page, op: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(
    async ([o, i]) => {
      const res = await fetch('/keyhold/ui/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-keyhold-ui': '1' },
        body: JSON.stringify({ op: o, input: i }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    [op, input] as const,
  );
}

/** The keyhold CLI on the vault the web UI serves (SQLite lets both open it). */
function keyhold(vault: string, args: string[], env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const out = execFileSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, KEYHOLD_VAULT: vault, KEYHOLD_PASSWORD: PASSWORD, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, unknown>;
}

async function vaultPath(page: Page): Promise<string> {
  return String((await uiCall(page, 'session.status', {})).body.vault_path);
}

function sshLogin(port: number, user: string, key: string): boolean {
  const r = spawnSync(
    'ssh',
    [
      '-i',
      key,
      '-p',
      String(port),
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'PreferredAuthentications=publickey',
      '-o',
      'ConnectTimeout=10',
      `${user}@127.0.0.1`,
      'true',
    ],
    { encoding: 'utf8' },
  );
  return r.status === 0;
}

test.describe('servers against a real sshd', () => {
  test.skip(!canRunSshd(), 'needs root and openssh-server');
  let sshd: TestSshd;
  let dir: string;

  test.beforeAll(async () => {
    sshd = await TestSshd.start();
    dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-servers-'));
    for (const name of ['bindA', 'bindB']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@e2e`, '-f', join(dir, name)]);
  });
  test.afterAll(async () => {
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the host key is shown before pinning, pinned on confirmation; binding logs in with a hosted key pair', async ({ page }) => {
    test.setTimeout(120_000);
    // What the server's own key file says, computed by OpenSSH, not by Keyhold.
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(' ')[1] as string;
    expect(expected).toMatch(/^SHA256:/);

    await openVault(page);
    // Two hosted key pairs, imported from ssh-keygen's files.
    await page.getByRole('button', { name: 'Key pairs' }).click();
    for (const name of ['bindA', 'bindB']) {
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByLabel('Or choose a file').setInputFiles(join(dir, name));
      await expect(page.getByLabel('Name')).toHaveValue(name);
      await page.getByRole('button', { name: 'Import', exact: true }).last().click();
      await expect(page.getByRole('heading', { name })).toBeVisible();
    }

    await page.getByRole('button', { name: 'Servers' }).click();
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByLabel('Name', { exact: true }).fill('sshd-e2e');
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(sshd.port));
    await page.getByLabel('User', { exact: true }).fill(sshd.user.name);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: `@127.0.0.1:${sshd.port}` });
    await expect(row).toContainText('not pinned yet');

    // First use: the presented key is shown, nothing is pinned yet.
    await row.getByRole('button', { name: 'Pin host key' }).click();
    const check = page.getByTestId('host-key-check');
    await expect(check.getByTestId('presented-key')).toHaveText(`ssh-ed25519 ${expected}`);
    await expect(check).toContainText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    await expect(row).toContainText('not pinned yet');
    await shot(page, 'servers-host-key-check');
    await check.getByRole('button', { name: 'Pin this key' }).click();
    await expect(row).toContainText(expected);
    await expect(check).toHaveCount(0);

    // After the first pin nothing speaks of a changed key: checking again says it matches.
    await expect(page.getByRole('button', { name: /changed|Accept/ })).toHaveCount(0);
    await row.getByRole('button', { name: 'Check host key' }).click();
    await expect(page.getByTestId('host-key-check')).toContainText('still presents the pinned key');
    await expect(page.getByRole('button', { name: /Accept/ })).toHaveCount(0);
    await page.getByTestId('host-key-check').getByRole('button', { name: 'Close' }).click();

    // What the server needs is said beside the form.
    await page.getByTestId('sftp-note').locator('summary').click();
    await expect(page.getByTestId('sftp-note')).toContainText('SFTP');
    await expect(page.getByTestId('sftp-note')).toContainText('KPS.8113');

    // A wrong password: the failure in words, with the task state and the cause's code beside it.
    await page
      .getByRole('group', { name: 'Servers (host key pinned)' })
      .getByRole('checkbox', { name: /sshd-e2e/ })
      .check();
    await page.getByLabel('Key pair to bind').selectOption('bindA');
    await page.getByLabel('Log in with').selectOption('password');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Bind', exact: true }).click();
    const status = page.getByTestId('task-status');
    await expect(status).toContainText('Binding failed', { timeout: 60_000 });
    await expect(status).toContainText('(FAILED_RESET)');
    await expect(status).toContainText('KPS.8103');
    await expect(page.getByRole('row').filter({ hasText: 'Authentication failed' })).toContainText('Binding failed');

    // The password binds bindA.
    await page.getByLabel('Password', { exact: true }).fill(sshd.user.password);
    await page.getByRole('button', { name: 'Bind', exact: true }).click();
    await expect(status).toContainText('Bound (logged in with the password)', { timeout: 60_000 });
    await expect(status).toContainText('(SUCCESS_RESET)');
    expect(sshLogin(sshd.port, sshd.user.name, join(dir, 'bindA'))).toBe(true);

    // bindB replaces it, Keyhold logging in with bindA chosen from the vault (nothing pasted).
    await page.getByLabel('Key pair to bind').selectOption('bindB');
    await page.getByLabel('Log in with').selectOption('hosted');
    await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
    await page.getByLabel('Key pair that logs in today').selectOption('bindA');
    await page.getByRole('button', { name: 'Bind', exact: true }).click();
    await expect(status).toContainText('Bound (logged in with a key)', { timeout: 60_000 });
    await expect(status).toContainText('(SUCCESS_REPLACE)');
    expect(sshLogin(sshd.port, sshd.user.name, join(dir, 'bindB'))).toBe(true);
    expect(sshLogin(sshd.port, sshd.user.name, join(dir, 'bindA'))).toBe(false);

    // bindA again, logging in with bindB's key pasted as an encrypted file with its passphrase.
    execFileSync('cp', [join(dir, 'bindB'), join(dir, 'bindB-enc')]);
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'open sesame', '-f', join(dir, 'bindB-enc')]);
    await page.getByLabel('Key pair to bind').selectOption('bindA');
    await page.getByLabel('Log in with').selectOption('pasted');
    await page.getByLabel('Private key (OpenSSH, PEM, PKCS#8 or PPK)').fill(readFileSync(join(dir, 'bindB-enc'), 'utf8'));
    await page.getByLabel('Passphrase of the key (if it has one)').fill('open sesame');
    await page.getByRole('button', { name: 'Bind', exact: true }).click();
    await expect(status).toContainText('Bound (logged in with a key)', { timeout: 60_000 });
    await expect.poll(() => sshLogin(sshd.port, sshd.user.name, join(dir, 'bindA')), { timeout: 30_000 }).toBe(true);
    await shot(page, 'servers-bound');

    // The failed task is dismissed from the list.
    await page.getByRole('row').filter({ hasText: 'Authentication failed' }).getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByText('No failed tasks.')).toBeVisible();

    // The server's host key really changes (a new key, sshd reloaded): only now is accepting offered,
    // beside the pinned and the presented fingerprints, and only after a confirmation.
    const hostKey = join(sshd.dir, 'host_ed25519');
    rmSync(hostKey);
    rmSync(`${hostKey}.pub`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    const renewed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
    process.kill(Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim()), 'SIGHUP');
    await expect
      .poll(
        async () => {
          await row.getByRole('button', { name: 'Check host key' }).click();
          return (await page.getByTestId('host-key-check').textContent()) ?? '';
        },
        { timeout: 20_000 },
      )
      .toContain('has changed');
    const changed = page.getByTestId('host-key-check');
    await expect(changed.getByTestId('pinned-key')).toHaveText(`ssh-ed25519 ${expected}`);
    await expect(changed.getByTestId('presented-key')).toHaveText(`ssh-ed25519 ${renewed}`);
    await changed.getByRole('button', { name: 'Accept the new host key' }).click();
    await expect(row).toContainText(expected);
    await changed.getByRole('button', { name: 'Yes, accept the new host key' }).click();
    await expect(row).toContainText(renewed);
    await expect(page.getByTestId('host-key-check')).toHaveCount(0);
  });
});

test("Remotes shows this vault's project id, the one `keyhold vault show` answers; an access key made in web mode with the password", async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Remotes & sync' }).click();
  const shown = page.getByTestId('own-project-id');
  await expect(shown).toHaveText(/^[0-9a-f]{32}$/);
  const { project_id } = keyhold(await vaultPath(page), ['vault', 'show']);
  await expect(shown).toHaveText(String(project_id));
  await expect(page.getByTestId('own-endpoint')).toHaveText(new URL(page.url()).origin);
  await expect(page.getByTestId('remote-byok-web-note')).toContainText('keyhold remote byok');
  await shot(page, 'remotes-this-keyhold');

  // The access key another Keyhold needs is made in web mode too, with the master password again.
  const before = (keyhold(await vaultPath(page), ['iam', 'list-access-keys']) as { credentials: unknown[] }).credentials.length;
  await page.getByRole('button', { name: 'Settings' }).click();
  const create = page.getByRole('button', { name: 'Create access key' });
  await expect(create).toBeDisabled();
  await page.getByLabel('Master password (for the changes below)').fill('not the password');
  await create.click();
  await expect(page.getByRole('alert')).toContainText('master password');
  await page.getByLabel('Master password (for the changes below)').fill(PASSWORD);
  await create.click();
  await expect(page.getByTestId('secret-key')).toHaveText(/^\S{40}$/);
  const listed = keyhold(await vaultPath(page), ['iam', 'list-access-keys']) as { credentials: { status: string; description: string }[] };
  expect(listed.credentials).toHaveLength(before + 1);
});

test("key stores: Keyhold's own, a PKCS#11 store this server cannot reach shown unavailable with why, each key's store; no PKCS#11 store made over HTTP", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await openVault(page);
  const vault = await vaultPath(page);
  // A SoftHSM2 token this test owns; only the CLI's environment points at it, so the web
  // server (started without SOFTHSM2_CONF) cannot reach the token: its store is unavailable there.
  const hsm = mkdtempSync(join(tmpdir(), 'keyhold-e2e-hsm-'));
  try {
    const env = { SOFTHSM2_CONF: join(hsm, 'softhsm2.conf') };
    execFileSync('mkdir', ['-p', join(hsm, 'tokens')]);
    writeFileSync(env.SOFTHSM2_CONF, `directories.tokendir = ${join(hsm, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'e2e', '--pin', '123456', '--so-pin', '654321'], { env: { ...process.env, ...env } });
    writeFileSync(join(hsm, 'pin'), '123456\n', { mode: 0o600 });
    const { keystore } = keyhold(
      vault,
      [
        'kms',
        'create-key-store',
        '--keystore-alias',
        'e2e-hsm',
        '--keystore-type',
        'PKCS11',
        '--pkcs11-module',
        '/usr/lib/softhsm/libsofthsm2.so',
        '--token-label',
        'e2e',
        '--pin-file',
        join(hsm, 'pin'),
      ],
      env,
    ) as { keystore: { keystore_id: string } };
    keyhold(vault, ['kms', 'create-key', '--key-alias', 'in-token', '--keystore-id', keystore.keystore_id], env);
    keyhold(vault, ['kms', 'create-key', '--key-alias', 'in-keyhold'], env);

    // Made outside this page: the Keys screen reads the stores and keys again when it is opened.
    await page.getByRole('button', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Keys', exact: true }).click();
    await expect(page.getByTestId('keystore-summary')).toHaveText("Keyhold's own store and 1 PKCS#11 key store.");
    await expect(page.getByTestId('keystore-unavailable')).toContainText('e2e-hsm is unavailable');
    await page.getByRole('button', { name: 'Show key stores' }).click();
    const stores = page.getByTestId('keystore-row');
    await expect(stores.first()).toContainText('Keyhold');
    const hsmRow = stores.filter({ hasText: 'e2e-hsm' });
    await expect(hsmRow).toContainText('unavailable');
    await expect(hsmRow).toContainText(/KEYHOLD\.060\d/);
    // Found by search: other specs may have filled the vault with many keys.
    await page.getByLabel('Search keys').fill('in-keyhold');
    await expect(page.getByRole('row').filter({ hasText: 'in-keyhold' }).getByTestId('key-store')).toHaveText('Keyhold');
    await page.getByLabel('Search keys').fill('in-token');
    await expect(page.getByRole('row').filter({ hasText: 'in-token' }).getByTestId('key-store')).toHaveText('e2e-hsm (unavailable)');
    await page.getByRole('button', { name: 'in-token' }).click();
    await expect(page.getByTestId('details-key-store')).toContainText(keystore.keystore_id);
    await expect(page.getByTestId('keystore-web-note')).toContainText('web mode');
    await expect(page.getByRole('button', { name: 'New PKCS#11 key store' })).toHaveCount(0);
    await shot(page, 'keys-key-stores');

    // The server refuses it too, whatever the page sends: no module path crosses HTTP.
    const refused = await uiCall(page, 'createKeyStore', {
      keystore_alias: 'x',
      keystore_type: 'PKCS11',
      pkcs11_module: '/usr/lib/softhsm/libsofthsm2.so',
      token_label: 'e2e',
      pin: '123456',
    });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('KEYHOLD.0001');
    const after = keyhold(vault, ['kms', 'list-key-stores'], env) as { keystores: { keystore_alias: string }[] };
    expect(after.keystores.map((s) => s.keystore_alias)).toEqual(['e2e-hsm']);
  } finally {
    rmSync(hsm, { recursive: true, force: true });
  }
});

test('a data key the user brings is encrypted with a CMK, and its ciphertext decrypts back to it; one made without plaintext shows none', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('brought-dek');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'brought-dek', exact: true })).toBeVisible();
  const dek = execFileSync('openssl', ['rand', '-hex', '32'], { encoding: 'utf8' }).trim();
  await page.getByLabel('A data key you have, to encrypt with this key (hex)').fill(dek);
  await page.getByRole('button', { name: 'Encrypt data key' }).click();
  const cipher = (await page.getByTestId('datakey-encrypted').textContent()) ?? '';
  expect(cipher).toMatch(/^[0-9A-Fa-f]{100,}$/);
  await page.getByLabel('Encrypted data key to decrypt (hex)').fill(cipher);
  await page.getByRole('button', { name: 'Decrypt data key' }).click();
  await expect(page.getByTestId('datakey-decrypted')).toHaveText(new RegExp(`^${dek}$`, 'i'));

  await page.getByLabel('Also show it unencrypted').uncheck();
  await page.getByRole('button', { name: 'Create data key' }).click();
  await expect(page.getByTestId('datakey-plain')).toContainText('not returned');
  await expect(page.getByTestId('datakey-cipher')).toHaveText(/^[0-9A-Fa-f]{100,}$/);
});
