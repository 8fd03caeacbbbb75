// `keyhold serve`: the registry over HTTP at the cloud's routes, AK/SK-signed, cloud-shaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initVault } from '../helpers/vault.js';
import { accessKey, signedFetch, startServe, type Served } from '../helpers/serve.js';

let vault: string;
let served: Served;
let creds: { access: string; secret: string };
const kms = (action: string) => `/v1.0/${served.project_id}/kms/${action}`;

beforeAll(async () => {
  vault = initVault();
  creds = accessKey(vault);
  served = await startServe(vault);
});
afterAll(async () => {
  if (served.child.exitCode === null) await served.stop();
});

describe('keyhold serve', () => {
  it('prints one JSON line with a loopback URL and the project id', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.project_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('runs KMS operations at the cloud routes with the cloud shapes', async () => {
    const created = await signedFetch(served.url, 'POST', kms('create-key'), { key_alias: 'http-key' }, creds);
    expect(created.status).toBe(200);
    const keyId = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    const enc = await signedFetch(served.url, 'POST', kms('encrypt-data'), { key_id: keyId, plain_text: 'over http' }, creds);
    const dec = await signedFetch(served.url, 'POST', kms('decrypt-data'), { cipher_text: (enc.json as { cipher_text: string }).cipher_text }, creds);
    expect(dec.json).toMatchObject({ key_id: keyId, plain_text: 'over http' });
    expect(dec.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers errors in the service shape with the cloud status', async () => {
    const missing = await signedFetch(served.url, 'POST', kms('describe-key'), { key_id: '00000000-0000-4000-8000-000000000000' }, creds);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: {
        error_code: 'KMS.0207',
        error_msg: expect.any(String),
        code: 'KMS.0207',
        message: (missing.json as { error: { error_msg: string } }).error.error_msg,
      },
    });
    const bad = await signedFetch(served.url, 'POST', kms('create-key'), {}, creds);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { error_code: 'KMS.0204' } });
  });

  it('refuses unsigned, wrongly signed and stale requests with 401', async () => {
    const unsigned = await fetch(new URL(kms('list-keys'), served.url), { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error_code: 'APIGW.0301', request_id: expect.any(String) });
    const wrong = await signedFetch(served.url, 'POST', kms('list-keys'), {}, { ...creds, secret: 'x'.repeat(40) });
    expect(wrong.status).toBe(401);
    const stale = await signedFetch(served.url, 'POST', kms('list-keys'), {}, creds, { now: new Date(Date.now() - 16 * 60 * 1000) });
    expect(stale.status).toBe(401);
    expect(stale.json).toMatchObject({ error_code: 'APIGW.0303' });
  });

  it('refuses a disabled access key', async () => {
    const other = accessKey(vault);
    expect((await signedFetch(served.url, 'POST', kms('list-keys'), {}, other)).status).toBe(200);
    expect(cli(vault, ['iam', 'update-access-key', '--access', other.access, '--status', 'inactive']).status).toBe(0);
    expect((await signedFetch(served.url, 'POST', kms('list-keys'), {}, other)).status).toBe(401);
  });

  it('limits the body size, and knows only its own project and routes', async () => {
    const big = await signedFetch(served.url, 'POST', kms('create-key'), { key_alias: 'x', key_description: 'y'.repeat(2 * 1024 * 1024) }, creds);
    expect(big.status).toBe(413);
    expect((await signedFetch(served.url, 'POST', `/v1.0/${'0'.repeat(32)}/kms/list-keys`, {}, creds)).status).toBe(404);
    expect((await signedFetch(served.url, 'POST', `/v1.0/${served.project_id}/kms/nothing-here`, {}, creds)).status).toBe(404);
  });

  it('never routes local-file operations', async () => {
    const r = await signedFetch(served.url, 'POST', `/v1/${served.project_id}/vault/backup`, { out: '/tmp/x' }, creds);
    expect(r.status).toBe(404);
  });

  it('audits HTTP calls with the access key that signed them', () => {
    const events = (cli(vault, ['audit', 'list-events', '--limit', '200']).json as { events: { transport: string }[] }).events;
    expect(events.some((e) => e.transport === `http:${creds.access}`)).toBe(true);
  });

  it('enforces grants for a grantee access key', async () => {
    const grantee = accessKey(vault, 'grantee');
    const keyId = ((await signedFetch(served.url, 'POST', kms('create-key'), { key_alias: 'granted' }, creds)).json as { key_info: { key_id: string } })
      .key_info.key_id;
    const otherId = ((await signedFetch(served.url, 'POST', kms('create-key'), { key_alias: 'not-granted' }, creds)).json as { key_info: { key_id: string } })
      .key_info.key_id;
    const denied = await signedFetch(served.url, 'POST', kms('encrypt-data'), { key_id: keyId, plain_text: 'x' }, grantee);
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: { error_code: 'KMS.0306' } });
    const grant = await signedFetch(
      served.url,
      'POST',
      kms('create-grant'),
      { key_id: keyId, grantee_principal: grantee.access, operations: ['encrypt-data', 'describe-key'] },
      creds,
    );
    expect(grant.status).toBe(200);
    const enc = await signedFetch(served.url, 'POST', kms('encrypt-data'), { key_id: keyId, plain_text: 'granted' }, grantee);
    expect(enc.status).toBe(200);
    expect((await signedFetch(served.url, 'POST', kms('describe-key'), { key_id: keyId }, grantee)).status).toBe(200);
    // Not granted: decrypt on this key, anything on another key, and non-grantable operations.
    expect(
      (await signedFetch(served.url, 'POST', kms('decrypt-data'), { cipher_text: (enc.json as { cipher_text: string }).cipher_text }, grantee)).json,
    ).toMatchObject({ error: { error_code: 'KMS.0306' } });
    expect((await signedFetch(served.url, 'POST', kms('encrypt-data'), { key_id: otherId, plain_text: 'x' }, grantee)).status).toBe(403);
    const list = await signedFetch(served.url, 'POST', kms('list-keys'), {}, grantee);
    expect(list.status).toBe(403);
    expect(list.json).toMatchObject({ error: { error_code: 'KMS.0307' } });
    // The owner's key is unaffected by grants.
    expect((await signedFetch(served.url, 'POST', kms('decrypt-data'), { cipher_text: (enc.json as { cipher_text: string }).cipher_text }, creds)).status).toBe(
      200,
    );
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await served.stop()).toBe(0);
  });
});
