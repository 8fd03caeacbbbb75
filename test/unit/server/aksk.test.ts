// AK/SK verification reads only the headers the Authorization names; whatever names it gives,
// a request ends in a caller or a 401, never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, signRequest } from '../../../electron/core/api/index.js';
import { akskAuthenticator } from '../../../electron/server/aksk.js';
import { accessKeyOf, newSession } from '../../helpers/vault.js';

let session: Session;
let credential: { access: string; secret: string };
beforeAll(async () => {
  ({ session } = await newSession());
  credential = await accessKeyOf(session);
});
afterAll(() => session.close());

function request(extra: Record<string, string> = {}, tamper?: (auth: string) => string) {
  const path = `/v1.0/${session.domain.project_id}/kms/list-keys`;
  const body = Buffer.from('{}');
  const signed = {
    method: 'POST',
    path,
    query: [] as [string, string][],
    headers: { 'Content-Type': 'application/json', ...extra } as Record<string, string>,
    body,
  };
  signRequest(signed, credential, { host: '127.0.0.1:9' });
  // As node:http hands them over: lower-case names, on an object with a prototype.
  const headers: Record<string, string> = { 'content-length': '2', connection: 'keep-alive' };
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = k === 'Authorization' && tamper ? tamper(v) : v;
  return { req: { method: 'POST', headers } as never, url: new URL(path, 'http://keyhold.local'), body };
}

describe('AK/SK authenticator', () => {
  it('accepts a signed request, with any signed headers', () => {
    const authenticate = akskAuthenticator(session);
    const { req, url, body } = request({ 'X-Project-Id': session.domain.project_id });
    expect(authenticate(req, url)!(body)).toEqual({ access_key: credential.access, role: 'owner' });
  });

  it('refuses (401) signed header lists naming inherited properties or headers that were not sent', () => {
    const authenticate = akskAuthenticator(session);
    for (const names of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'x-not-sent']) {
      const { req, url, body } = request({}, (auth) => auth.replace('SignedHeaders=', `SignedHeaders=${names};`));
      expect(() => authenticate(req, url)!(body)).toThrow(expect.objectContaining({ code: 'APIGW.0301', status: 401 }));
    }
  });
});
