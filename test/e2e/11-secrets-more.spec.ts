/// <reference lib="dom" />
// The rest of the secret store in the app (issue #24): the password generator, description and
// event subscription, notifications recorded on rotation, a backup blob downloaded, the secret
// deleted and restored from it, and a batch import from a JSON file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('generator, event subscription and notification, backup and restore, batch import', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-secrets-'));
  await openVault(page);
  await page.getByRole('button', { name: 'Secrets' }).click();

  await page.getByRole('button', { name: 'New event' }).click();
  await page.getByLabel('Event name').fill('ops-events');
  await page.getByLabel('Notification target name').fill('ops');
  await page.getByLabel('Notification target id (SMN topic URN)').fill('urn:smn:local:ops');
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'ops-events' })).toContainText('SECRET_ROTATED');

  await page.getByRole('button', { name: 'New secret' }).click();
  await page.getByLabel('Name').fill('generated-pw');
  await page.getByLabel('Length').fill('40');
  await page.getByLabel('Letters and digits only').check();
  await page.getByRole('button', { name: 'Generate a password' }).first().click();
  const value = page.getByLabel('Value', { exact: true });
  await expect(value).toHaveValue(/^[A-Za-z0-9]{40}$/);
  await page.getByRole('button', { name: 'Create secret' }).click();
  await expect(page.getByRole('heading', { name: 'generated-pw' })).toBeVisible();

  await page.getByRole('button', { name: 'Edit description and event' }).click();
  await page.getByLabel('New description').fill('made by the generator');
  await page.getByLabel('Notify the event').selectOption('ops-events');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'made by the generator' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'ops-events' })).toBeVisible();

  await page.getByRole('button', { name: 'Rotate now (new random value)' }).click();
  await page.getByRole('button', { name: 'Secrets' }).click();
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 'generated-pw' }).filter({ hasText: 'SECRET_ROTATED' })).toBeVisible();

  // Backup, delete for good, restore from the backup.
  await page.getByRole('button', { name: 'generated-pw' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download a backup' }).click();
  const blobPath = join(dir, 'generated-pw.secret-blob');
  await (await download).saveAs(blobPath);
  await page.getByRole('button', { name: 'Schedule deletion' }).click();
  await page.getByRole('button', { name: 'Yes, schedule deletion' }).click();
  await page.getByRole('button', { name: 'Delete now' }).click();
  await page.getByRole('button', { name: 'Yes, delete now' }).click();
  await expect(page.getByRole('button', { name: 'generated-pw' })).toHaveCount(0);
  await page.getByText('Import many, or restore from a backup').click();
  await page.getByLabel('Restore a deleted secret from its backup (.secret-blob)').setInputFiles(blobPath);
  await expect(page.getByRole('heading', { name: 'generated-pw' })).toBeVisible();

  // A batch: one good, one with a bad name; the bad one is named in the answer.
  const batch = join(dir, 'batch.json');
  writeFileSync(
    batch,
    JSON.stringify([
      { name: 'batch-one', secret_string: 'v1' },
      { name: 'bad name!', secret_string: 'v2' },
    ]),
  );
  await page.getByLabel('Import secrets from a JSON file (an array of create-secret bodies)').setInputFiles(batch);
  await expect(page.getByTestId('secret-import-note')).toContainText('1 imported; not imported: bad name!');
  await expect(page.getByRole('button', { name: 'batch-one' })).toBeVisible();
});
