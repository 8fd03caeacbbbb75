// Huawei Cloud's own Node SDK (@huaweicloud/huaweicloud-sdk-core, not our code) against
// `keyhold serve`: its AK/SK signer's requests pass the strict verifier (it signs host and the
// body), a body changed after signing is refused, and its error parser finds the KMS code in
// Keyhold's nested error (it reads `error.code` one level down).
import { createServer, request, type Server } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { ExceptionUtil } from '@huaweicloud/huaweicloud-sdk-core/exception/ExceptionUtil.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../electron/core/api/index.js';
import { akskAuthenticator } from '../../electron/server/aksk.js';
import { keyholdRequestListener, SERVER_TIMEOUTS } from '../../electron/server/http.js';
import { accessKeyOf, newSession } from '../helpers/vault.js';

let session: Session;
let server: Server;
let base: string;
let credentials: BasicCredentials;

beforeAll(async () => {
  ({ session } = await newSession());
  const credential = await accessKeyOf(session);
  credentials = new BasicCredentials().withAk(credential.access).withSk(credential.secret).withProjectId(session.domain.project_id);
  server = createServer(SERVER_TIMEOUTS, keyholdRequestListener(session, { authenticators: [akskAuthenticator(session)] }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  session.close();
});

/** Signs with the SDK's signer, as its HcClient does for a JSON body, then sends `sent` (the signed body unless changed). */
function sdkCall(action: string, data: Record<string, unknown>, sent?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const endpoint = `${base}/v1.0/${session.domain.project_id}/kms/${action}`;
  const headers = AKSKSigner.sign(
    { endpoint, method: 'POST', headers: { 'Content-Type': 'application/json' }, data, queryParams: {} } as never,
    credentials,
  ) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(sent ?? JSON.stringify(data));
  });
}

describe('Huawei Cloud Node SDK against keyhold serve', () => {
  it('its signed requests pass; it signs host', async () => {
    const created = await sdkCall('create-key', { key_alias: 'from-the-sdk' });
    expect(created.status).toBe(200);
    const headers = AKSKSigner.sign({ endpoint: `${base}/x`, method: 'POST', headers: {}, data: {}, queryParams: {} } as never, credentials) as Record<
      string,
      string
    >;
    expect(headers.Authorization).toMatch(/SignedHeaders=[^,]*\bhost\b/);
  });

  it('a body changed after the SDK signed it is refused', async () => {
    const r = await sdkCall('create-key', { key_alias: 'signed-alias' }, JSON.stringify({ key_alias: 'other-alias' }));
    expect(r.status).toBe(401);
    expect(r.json.error_code).toBe('APIGW.0301');
  });

  it("its error parser reads the KMS code and message from Keyhold's nested error", async () => {
    const missing = await sdkCall('describe-key', { key_id: '00000000-0000-0000-0000-000000000000' });
    expect(missing.status).toBe(404);
    const e = ExceptionUtil.generalException({ data: missing.json, status: missing.status } as never) as unknown as {
      errorCode: string;
      errorMsg: string;
      httpStatusCode: number;
    };
    expect(e.errorCode).toBe('KMS.0207');
    expect(e.errorMsg).toMatch(/does not exist/);
  });
});
