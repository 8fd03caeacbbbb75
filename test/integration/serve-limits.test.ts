// `keyhold serve` against a client that sends too much or too slowly (issue #16): nothing is
// buffered for a request whose headers already fail authentication, a chunked body over the
// 1 MiB bound gets a 413 answer (not a reset), and a stalled body gets 408.
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, signRequest } from '../../electron/core/api/index.js';
import { akskAuthenticator } from '../../electron/server/aksk.js';
import { keyholdRequestListener, SERVER_TIMEOUTS } from '../../electron/server/http.js';
import { accessKeyOf, newSession } from '../helpers/vault.js';

let session: Session;
let server: Server;
let port: number;
let credential: { access: string; secret: string };

beforeAll(async () => {
  ({ session } = await newSession());
  credential = await accessKeyOf(session);
  server = createServer(SERVER_TIMEOUTS, keyholdRequestListener(session, { authenticators: [akskAuthenticator(session)], bodyTimeoutMs: 300 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  session.close();
});

function signedHeaders(path: string): Record<string, string> {
  const req = {
    method: 'POST',
    path,
    query: [] as [string, string][],
    headers: { 'Content-Type': 'application/json' } as Record<string, string>,
    body: Buffer.from('{}'),
  };
  signRequest(req, credential, { host: `127.0.0.1:${port}` });
  return req.headers;
}

/**
 * Sends headers, then `chunks` (chunked unless a content-length is given) without ending the
 * body unless `end`; resolves with the status and body the server answers with.
 */
function send(headers: Record<string, string>, chunks: Buffer[], end: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const path = `/v1.0/${session.domain.project_id}/kms/list-keys`;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may close while we still write: that is allowed once it has answered.
    req.on('error', (e) => reject(e));
    void (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      if (end) req.end();
    })();
  });
}

const path = () => `/v1.0/${session.domain.project_id}/kms/list-keys`;

describe('serve body bounds', () => {
  it('answers an unsigned request 401 without waiting for (or buffering) its body', async () => {
    const r = await send({ 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, [Buffer.alloc(1024, 0x20)], false);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error_code: 'APIGW.0301' });
  });

  it('answers a request signed by an unknown access key 401 before its body', async () => {
    const headers = signedHeaders(path());
    headers.Authorization = headers.Authorization!.replace(credential.access, 'UNKNOWNKEY0000000000');
    const r = await send({ ...headers, 'Transfer-Encoding': 'chunked' }, [Buffer.alloc(10, 0x20)], false);
    expect(r.status).toBe(401);
  });

  it('answers a chunked body over 1 MiB with 413, not a reset', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const r = await send(
      { ...signedHeaders(path()), 'Transfer-Encoding': 'chunked' },
      Array.from({ length: 24 }, () => chunk),
      true,
    );
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error_code: 'APIGW.0201' });
  });

  it('answers a body that stalls with 408 once the body bound has passed', async () => {
    const r = await send({ ...signedHeaders(path()), 'Content-Length': '100' }, [Buffer.from('{"a":')], false);
    expect(r.status).toBe(408);
  });

  it('still serves a signed request', async () => {
    const r = await send({ ...signedHeaders(path()), 'Content-Length': '2' }, [Buffer.from('{}')], true);
    expect(r.status).toBe(200);
  });

  it('every server Keyhold listens with bounds headers at 10 s and the whole request at 40 s', () => {
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(40_000);
  });
});
