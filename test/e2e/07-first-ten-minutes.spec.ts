/// <reference lib="dom" />
// Bugs a new user met in the first ten minutes (issue #24), each walked as that user did:
// a stale decryption result beside a new error, an encryption key that is not usable any more,
// an encrypted key file that could not be imported, a second file keeping the first one's name,
// and the "shown once" warning on a public key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openVault } from './vault.js';

test('a decryption result never outlives its inputs; a key that cannot encrypt is never chosen', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('results-a');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'results-a', exact: true })).toBeVisible();
  await page.getByLabel('Key', { exact: true }).selectOption({ label: 'results-a' });

  await page.getByLabel('Plaintext').fill('first secret');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const cipher = page.getByLabel('Ciphertext');
  await expect(cipher).toHaveValue(/^[0-9a-zA-Z+/=]{128,}$/);
  const good = await cipher.inputValue();
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByTestId('decrypted')).toHaveText('first secret');

  // A tampered ciphertext: the error shows, the previous plaintext is gone.
  const tampered = good.slice(0, 60) + (good[60] === 'A' ? 'B' : 'A') + good.slice(61);
  await cipher.fill(tampered);
  await expect(page.getByTestId('decrypted')).toHaveCount(0);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByTestId('decrypted')).toHaveCount(0);

  // Decrypting the good one again clears the error; emptying the field clears the result.
  await cipher.fill(good);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByTestId('decrypted')).toHaveText('first secret');
  await cipher.fill('');
  await expect(page.getByTestId('decrypted')).toHaveCount(0);

  // An EC key made meanwhile is not offered for encryption, and the choice stays on results-a.
  await page.getByRole('button', { name: 'New key' }).click();
  await page.getByLabel('Alias').fill('results-ec');
  await page.getByLabel('Key spec').selectOption('EC_P256');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('heading', { name: 'results-ec', exact: true })).toBeVisible();
  const keySelect = page.getByLabel('Key', { exact: true });
  await expect(keySelect.locator('option', { hasText: 'results-ec' })).toHaveCount(0);
  await expect(keySelect.locator('option:checked')).toHaveText('results-a');

  // Disabling the chosen key moves the choice to a key that can encrypt, never to a blank.
  await page.getByRole('button', { name: 'results-a' }).click();
  await expect(page.getByRole('heading', { name: 'results-a', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Disabled' })).toBeVisible();
  await expect(keySelect.locator('option', { hasText: 'results-a' })).toHaveCount(0);
  const chosen = await keySelect.inputValue();
  const offered = await keySelect.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(offered).toContain(chosen);
  expect(chosen === '' ? await page.getByRole('button', { name: 'Encrypt', exact: true }).isDisabled() : true).toBe(true);
  await page.getByRole('button', { name: 'Enable' }).click();
  await expect(page.getByRole('definition').filter({ hasText: 'Enabled' })).toBeVisible();
});

test('an encrypted key file imports with its passphrase and keeps its comment; a second file brings its own name', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-e2e-import-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '384', '-N', 'open sesame', '-C', 'ops@bastion', '-f', join(dir, 'sk_rsa_enc')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'second', '-f', join(dir, 'deploy_ed25519')]);
  const expectedPublic = readFileSync(join(dir, 'sk_rsa_enc.pub'), 'utf8').trim();

  await openVault(page);
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  // The first file suggests a name; the second file replaces it (the user typed none).
  await page.getByLabel('Or choose a file').setInputFiles(join(dir, 'deploy_ed25519'));
  await expect(page.getByLabel('Name')).toHaveValue('deploy_ed25519');
  await page.getByLabel('Or choose a file').setInputFiles(join(dir, 'sk_rsa_enc'));
  await expect(page.getByLabel('Name')).toHaveValue('sk_rsa_enc');

  // Without the passphrase the refusal says what to do in the form, not with a CLI flag.
  await page.getByRole('button', { name: 'Import', exact: true }).last().click();
  await expect(page.getByRole('alert')).toContainText('Passphrase of the key file');
  await expect(page.getByRole('alert')).not.toContainText('--passphrase-file');

  await page.getByLabel('Passphrase of the key file (if it has one)').fill('open sesame');
  await page.getByRole('button', { name: 'Import', exact: true }).last().click();
  await expect(page.getByRole('heading', { name: 'sk_rsa_enc' })).toBeVisible();
  const hostedPublic = (await page.getByLabel('Public key', { exact: true }).inputValue()).trim();
  expect(hostedPublic).toBe(expectedPublic);

  // A public key export is not a secret: no "shown once" warning.
  await page.getByLabel('Format').selectOption('public-openssh');
  await page.getByRole('button', { name: 'Export' }).click();
  await expect(page.getByTestId('one-time-text')).toContainText('ecdsa-sha2-nistp384');
  await expect(page.getByText('Shown once.')).toHaveCount(0);
  await page.getByRole('button', { name: 'Close' }).click();

  // A private export still warns.
  await page.getByLabel('Format').selectOption('openssh');
  await page.getByRole('button', { name: 'Export' }).click();
  await expect(page.getByText('Shown once.')).toBeVisible();
  await page.getByRole('button', { name: 'Done, hide it' }).click();
});

test('an Ed25519 key pair is never offered as traditional PEM', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Key pairs' }).click();
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByLabel('Name').fill('ed-only');
  await page.getByLabel('Type').selectOption('SSH_ED25519');
  await page.getByRole('button', { name: 'Generate key pair' }).click();
  await expect(page.getByRole('heading', { name: 'ed-only' })).toBeVisible();
  const formats = await page
    .getByLabel('Format')
    .locator('option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(formats).not.toContain('pem');
  expect(formats).toContain('pkcs8');
});

test('each screen has an address: Back and reload keep it, and a revealed secret does not follow the user around', async ({ page }) => {
  await openVault(page);
  await page.getByRole('button', { name: 'Secrets' }).click();
  await expect(page).toHaveURL(/#\/secrets$/);
  await page.getByRole('button', { name: 'New secret' }).click();
  await page.getByLabel('Name').fill('route-secret');
  const value = page.getByLabel('Value', { exact: true });
  await expect(value).toHaveAttribute('spellcheck', 'false');
  await expect(value).toHaveClass(/masked/);
  await value.fill('hunter2-route');
  await page.getByRole('button', { name: 'Create secret' }).click();
  await expect(page.getByRole('heading', { name: 'route-secret' })).toBeVisible();
  await page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'v1', exact: true }) })
    .getByRole('button', { name: 'Reveal' })
    .click();
  await expect(page.getByTestId('secret-value')).toHaveText('hunter2-route');

  await page.getByRole('button', { name: 'Key pairs' }).click();
  await expect(page).toHaveURL(/#\/keypairs$/);
  await expect(page.getByRole('heading', { name: 'Key pairs', level: 1 })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/#\/secrets$/);
  await expect(page.getByRole('heading', { name: 'Secrets', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'route-secret' }).click();
  await expect(page.getByRole('heading', { name: 'route-secret' })).toBeVisible();
  await expect(page.getByTestId('secret-value')).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole('heading', { name: /Secrets|Unlock Keyhold/ }).first()).toBeVisible();
  expect(new URL(page.url()).hash).toBe('#/secrets');
});
