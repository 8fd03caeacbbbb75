// CSMS over `keyhold serve`: the cloud's REST routes, query-string paging, statuses and flat errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initVault } from '../helpers/vault.js';
import { accessKey, signedFetch, startServe, type Served } from '../helpers/serve.js';

let served: Served;
let creds: { access: string; secret: string };
const path = (p: string) => `/v1/${served.project_id}${p}`;

beforeAll(async () => {
  const vault = initVault();
  creds = accessKey(vault);
  served = await startServe(vault);
});
afterAll(async () => {
  if (served.child.exitCode === null) await served.stop();
});

describe('csms over HTTP', () => {
  it('serves the secret routes with the cloud shapes and statuses', async () => {
    const call = (method: string, p: string, body?: unknown) => signedFetch(served.url, method, path(p), body, creds);
    for (const name of ['a', 'b', 'c']) expect((await call('POST', '/secrets', { name, secret_string: `value-${name}` })).status).toBe(200);
    const page = await call('GET', '/secrets?limit=2');
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ secrets: [{ name: 'a' }, { name: 'b' }], page_info: { next_marker: 'b', current_count: 2 } });
    expect((await call('GET', '/secrets?limit=2&marker=b')).json).toMatchObject({
      secrets: [{ name: 'c' }],
      page_info: { previous_marker: 'b', current_count: 1 },
    });

    expect((await call('POST', '/secrets/a/versions', { secret_string: 'v2', version_stages: ['SYSCURRENT', 'blue'] })).json).toMatchObject({
      version_metadata: { id: 'v2' },
    });
    const latest = await call('GET', '/secrets/a/versions/latest');
    expect(latest.json).toMatchObject({ version: { secret_string: 'v2', version_metadata: { id: 'v2', version_stages: ['SYSCURRENT', 'blue'] } } });
    expect((await call('PUT', '/secrets/a/stages/blue', { version_id: 'v1' })).json).toMatchObject({ stage: { name: 'blue', version_id: 'v1' } });

    const deleted = await call('DELETE', '/secrets/a/stages/blue');
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeUndefined();
    const builtin = await call('DELETE', '/secrets/a/stages/SYSCURRENT');
    expect(builtin.status).toBe(400);
    expect(builtin.json).toEqual({ error_code: 'CSMS.0105', error_msg: 'The built-in stage SYSCURRENT cannot be deleted.' });
    const missing = await call('GET', '/secrets/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error_code: 'CSMS.0106' });

    const blob = ((await call('POST', '/secrets/b/backup')).json as { secret_blob: string }).secret_blob;
    expect((await call('DELETE', '/secrets/b')).status).toBe(200);
    expect((await call('POST', '/secrets/restore', { secret_blob: blob })).json).toMatchObject({ secret: { name: 'b' } });
    expect((await call('POST', '/secrets/batch-import', { secrets: [{ name: 'd', secret_string: 'x' }] })).json).toEqual({
      total: 1,
      success: 1,
      failed: 0,
      error_list: [],
    });
    expect((await call('POST', '/csms/generate-password', { length: 10 })).json).toMatchObject({ password: expect.stringMatching(/^.{10}$/) });
  });
});
