/// <reference lib="dom" />
/**
 * A vault that looks used, for the visual specs and the screenshot tour: keys of several specs
 * with long hyphenated aliases, tags and a grant, a secret with two versions, key pairs, a
 * server and a remote. Made through the page's own UI endpoint (the logged-in session), so it
 * is quick and goes through the same checks as a click. Names carry a suffix, so seeding twice
 * on one vault (the specs share one server) never collides.
 */
import { expect, type Page } from '@playwright/test';

export async function uiCall<T = Record<string, unknown>>(page: Page, op: string, input: unknown): Promise<T> {
  const res = await page.evaluate(
    async ([o, i]) => {
      const r = await fetch('/keyhold/ui/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-keyhold-ui': '1' },
        body: JSON.stringify({ op: o, input: i }),
      });
      return { status: r.status, body: (await r.json()) as unknown };
    },
    [op, input] as const,
  );
  expect(res.status, `${op}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body as T;
}

export interface Seeded {
  suffix: string;
  aesAlias: string;
  ecAlias: string;
  byokAlias: string;
  secretName: string;
  keypairName: string;
}

export async function seedVault(page: Page, suffix = Date.now().toString(36).slice(-4)): Promise<Seeded> {
  const aesAlias = `payments-ledger-eu-west-${suffix}`;
  const { key_info: aes } = await uiCall<{ key_info: { key_id: string } }>(page, 'createKey', {
    key_alias: aesAlias,
    key_spec: 'AES_256',
    key_description: 'Encrypts the ledger exports of the EU billing run',
  });
  const ecAlias = `release-signing-p256-${suffix}`;
  const byokAlias = `hsm-import-aes-${suffix}`;
  await uiCall(page, 'createKey', {
    key_alias: byokAlias,
    key_spec: 'AES_256',
    origin: 'external',
    key_description: 'Waits for material wrapped by the on-premises HSM',
  });
  await uiCall(page, 'createKey', { key_alias: ecAlias, key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY', key_description: 'Signs release manifests' });
  await uiCall(page, 'createKey', { key_alias: `webhook-hmac-${suffix}`, key_spec: 'HMAC_256', key_description: 'Webhook signatures' });
  await uiCall(page, 'createKey', { key_alias: `customer-export-rsa-${suffix}`, key_spec: 'RSA_3072', key_usage: 'ENCRYPT_DECRYPT' });
  await uiCall(page, 'createKmsTag', { key_id: aes.key_id, tag: { key: 'team', value: 'payments' } });
  await uiCall(page, 'createKmsTag', { key_id: aes.key_id, tag: { key: 'env', value: 'production' } });
  await uiCall(page, 'createGrant', {
    key_id: aes.key_id,
    grantee_principal: 'reportingsvc01',
    operations: ['encrypt-data', 'decrypt-data'],
    name: 'reporting',
  });

  const secretName = `db-password-reporting-replica-${suffix}`;
  await uiCall(page, 'createSecret', { name: secretName, secret_string: 'correct-horse-battery-staple', description: 'Read-only replica used by the reports' });
  await uiCall(page, 'createSecretVersion', { secret_name: secretName, secret_string: 'tr0ub4dor-and-3' });
  await uiCall(page, 'createSecret', { name: `smtp-relay-credentials-${suffix}`, secret_string: 'relay-password' });

  const keypairName = `ops-ed25519-${suffix}`;
  await uiCall(page, 'createKeypair', { keypair: { name: keypairName, algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } } });
  await uiCall(page, 'createKeypair', { keypair: { name: `deploy-ecdsa-${suffix}`, algorithm: 'SSH_ECDSA_256' } });

  await uiCall(page, 'serversAdd', { name: `web-frontend-${suffix}`, host: '127.0.0.1', port: 2222, user: 'deploy' });
  await uiCall(page, 'remoteAdd', {
    name: `peer-keyhold-${suffix}`,
    endpoint: 'http://127.0.0.1:9',
    project_id: 'p0000000000000000000000000000001',
    access_key: 'AKEXAMPLE0000000001',
    secret_key: 'example-secret-key',
  });
  return { suffix, aesAlias, ecAlias, byokAlias, secretName, keypairName };
}
