/// <reference lib="dom" />
// Files and backups in web mode (issue #24): a 50 MiB file of random bytes encrypted by upload,
// the envelope downloaded, decrypted by upload and downloaded again, byte-equal (`cmp`) to the
// original; a file over the stated bound refused (by the page, and by the server with 413);
// a file signed and verified, a changed file failing; the vault backed up as a download and
// restored from it by upload (what was made after the backup is gone).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openVault, PASSWORD } from './vault.js';

/** The e2e server's bound (scripts/e2e-serve.mjs sets KEYHOLD_WEB_UPLOAD_MIB=64). */
const BOUND_MIB = 64;

/** Makes a key through the page's own UI endpoint (the journey here is files, not keys). */
async function createKey(page: Page, input: Record<string, string>): Promise<void> {
  const status = await page.evaluate(async (i) => {
    const res = await fetch('/keyhold/ui/call', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keyhold-ui': '1' },
      body: JSON.stringify({ op: 'createKey', input: i }),
    });
    return res.status;
  }, input);
  expect(status).toBe(200);
}

/** Saves the download `click` starts to `to`; returns the name the browser suggested. */
async function downloadOf(page: Page, click: () => Promise<void>, to: string): Promise<string> {
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await click();
  await (await download).saveAs(to);
  return (await download).suggestedFilename();
}

test('a 50 MiB file encrypted and decrypted by upload and download; the bound holds', async ({ page }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-files-'));
  const original = join(dir, 'data.bin');
  writeFileSync(original, randomBytes(50 * 1024 * 1024));
  await openVault(page);
  await createKey(page, { key_alias: 'e2e-files', key_spec: 'AES_256' });
  await page.goto('/#/files');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Files' })).toBeVisible();
  await expect(page.getByRole('note')).toContainText(`Web mode takes files up to ${BOUND_MIB} MiB`);

  await page.getByLabel('Key', { exact: true }).selectOption({ label: 'e2e-files (AES_256)' });
  await page.getByLabel('File', { exact: true }).setInputFiles(original);
  const envelope = join(dir, 'data.bin.khenc');
  expect(await downloadOf(page, () => page.getByRole('button', { name: 'Encrypt', exact: true }).click(), envelope)).toBe('data.bin.khenc');
  await expect(page.getByRole('status')).toContainText(`Encrypted ${50 * 1024 * 1024} bytes`);
  // The upload's and then the job's progress reached the page (only those set the bar).
  await expect(page.locator('#file-progress')).toHaveAttribute('value', '100');

  await page.getByRole('radio', { name: 'Decrypt' }).check();
  await page.getByLabel('Encrypted file (.khenc)').setInputFiles(envelope);
  const decrypted = join(dir, 'data.out');
  expect(await downloadOf(page, () => page.getByRole('button', { name: 'Decrypt', exact: true }).click(), decrypted)).toBe('data.bin');
  await expect(page.getByRole('status')).toContainText('every frame verified');
  expect(spawnSync('cmp', [original, decrypted]).status).toBe(0);
  expect(spawnSync('cmp', ['-s', original, envelope]).status).toBe(1);

  // Over the bound: the page refuses with the bound in words, without sending it …
  const big = join(dir, 'big.bin');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, (BOUND_MIB + 1) * 1024 * 1024);
  closeSync(fd);
  await page.getByRole('radio', { name: 'Encrypt' }).check();
  await page.getByLabel('Key', { exact: true }).selectOption({ label: 'e2e-files (AES_256)' });
  await page.getByLabel('File', { exact: true }).setInputFiles(big);
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(`The file is ${BOUND_MIB + 1} MiB; web mode takes files up to ${BOUND_MIB} MiB`);
  // … and the server refuses a client that sends it anyway: 413 with the same words.
  const origin = new URL(page.url()).origin;
  const refused = await page.request.post('/keyhold/ui/file/encrypt', {
    headers: { 'content-type': 'application/octet-stream', 'x-keyhold-ui': '1', origin },
    data: Buffer.alloc(BOUND_MIB * 1024 * 1024 + 1),
  });
  expect(refused.status()).toBe(413);
  expect((await refused.json()) as unknown).toMatchObject({
    error_code: 'UI.0413',
    error_msg: expect.stringContaining(`web mode takes files up to ${BOUND_MIB} MiB`),
  });
});

test('a file signed by upload verifies, and a changed file does not', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-sign-'));
  const file = join(dir, 'release.tar');
  writeFileSync(file, randomBytes(300_000));
  await openVault(page);
  await createKey(page, { key_alias: 'e2e-signer', key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY' });
  await page.goto('/#/files');
  await page.reload();
  await page.getByRole('radio', { name: 'Sign' }).check();
  await page.getByLabel('Key', { exact: true }).selectOption({ label: 'e2e-signer (EC_P256)' });
  await page.getByLabel('File', { exact: true }).setInputFiles(file);
  const record = join(dir, 'release.tar.sig.json');
  await downloadOf(page, () => page.getByRole('button', { name: 'Sign', exact: true }).click(), record);
  await expect(page.getByRole('status')).toContainText('Signed with ECDSA_SHA_256');

  await page.getByRole('radio', { name: 'Verify' }).check();
  await page.getByLabel('Signed file').setInputFiles(file);
  await page.getByLabel('Signature record (.sig.json)').setInputFiles(record);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('The signature is valid for this file.');

  const changed = join(dir, 'release-changed.tar');
  const bytes = randomBytes(300_000);
  writeFileSync(changed, bytes);
  await page.getByLabel('Signed file').setInputFiles(changed);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('The signature does NOT match this file.');
});

test('the vault backed up as a download and restored from it by upload', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-backup-'));
  await openVault(page);
  await page.goto('/#/settings');
  const backup = join(dir, 'vault-backup.db');
  await page.getByLabel('Master password, to download a backup').fill(PASSWORD);
  await downloadOf(page, () => page.getByRole('button', { name: 'Download a backup' }).click(), backup);
  await expect(page.getByRole('status')).toContainText('Backup downloading as keyhold-backup-');

  // Made after the backup: gone once it is restored.
  await createKey(page, { key_alias: 'after-the-backup', key_spec: 'AES_256' });

  await page.getByLabel(/^Backup file/).setInputFiles(backup);
  await page.getByLabel('Master password of this vault').fill('not the password');
  await page.getByLabel('Master password of the backup').fill(PASSWORD);
  await page.getByRole('button', { name: 'Replace the vault' }).click();
  await expect(page.getByRole('group')).toContainText('made since the backup are lost for good');
  await page.getByRole('button', { name: 'Yes, replace the vault' }).click();
  await expect(page.getByRole('alert')).toContainText('not the master password');

  // Not a vault: the restore locks first, refuses it, and says the vault is as it was.
  const junk = join(dir, 'not-a-backup.db');
  writeFileSync(junk, randomBytes(8192));
  await page.getByLabel(/^Backup file/).setInputFiles(junk);
  await page.getByLabel('Master password of this vault').fill(PASSWORD);
  await page.getByLabel('Master password of the backup').fill(PASSWORD);
  await page.getByRole('button', { name: 'Replace the vault' }).click();
  await page.getByRole('button', { name: 'Yes, replace the vault' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock Keyhold' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('The backup was not restored: Not a Keyhold vault: the uploaded file');
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.goto('/#/keys');
  await expect(page.getByRole('button', { name: 'after-the-backup' })).toBeVisible();
  await page.goto('/#/settings');

  await page.getByLabel(/^Backup file/).setInputFiles(backup);
  await page.getByLabel('Master password of this vault').fill(PASSWORD);
  await page.getByLabel('Master password of the backup').fill(PASSWORD);
  await page.getByRole('button', { name: 'Replace the vault' }).click();
  await page.getByRole('button', { name: 'Yes, replace the vault' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock Keyhold' })).toBeVisible();
  await expect(page.getByText('Locked for a restore from a backup')).toBeVisible();
  await page.getByLabel('Master password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible();
  await page.goto('/#/keys');
  await expect(page.getByRole('button', { name: 'after-the-backup' })).toHaveCount(0);
});
