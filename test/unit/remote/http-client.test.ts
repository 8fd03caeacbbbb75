// Retry with backoff against a small loopback server that fails a given number of times.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, OutcomeUnknown, remoteError, remoteRequest, type HttpDeps } from '../../../electron/core/remote/http-client.js';
import { parseAuthorization, verifySignature } from '../../../electron/core/remote/signer.js';

let server: Server;
let base: string;
let plan: { status: number; body: string }[] = [];
const seen: { auth: string | undefined; ok: boolean }[] = [];
const creds = { access_key: 'AK1234567890', secret_key: 'SK-secret', project_id: 'p1' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const auth = parseAuthorization(req.headers.authorization);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const ok =
        !!auth &&
        verifySignature(
          { method: req.method ?? '', path: url.pathname, query: [...url.searchParams.entries()], headers, body: Buffer.concat(chunks) },
          auth,
          creds.secret_key,
        );
      seen.push({ auth: req.headers.authorization, ok });
      const next = plan.shift() ?? { status: 200, body: '{"ok":true}' };
      res.writeHead(next.status, { 'Content-Type': 'application/json' });
      res.end(next.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function deps(): HttpDeps & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { fetch: (...a) => fetch(...a), sleep: async (ms) => void sleeps.push(ms), now: () => new Date(), sleeps };
}

describe('remote HTTP client', () => {
  it('retries 429 and 503 with growing, jittered delays, then succeeds; every try freshly signed', async () => {
    plan = [
      { status: 429, body: '' },
      { status: 503, body: '' },
      { status: 429, body: '' },
    ];
    seen.length = 0;
    const d = deps();
    const r = await remoteRequest({ baseUrl: base, ...creds }, { method: 'POST', path: '/v1.0/p1/kms/list-keys', body: { limit: '1' } }, d);
    expect(r.body).toEqual({ ok: true });
    expect(seen).toHaveLength(4);
    expect(seen.every((s) => s.ok)).toBe(true);
    expect(d.sleeps).toHaveLength(3);
    d.sleeps.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(200 * 2 ** i));
  });

  it('gives up after 4 tries with the last error', async () => {
    plan = Array.from({ length: 4 }, () => ({ status: 502, body: '{"error_code":"APIGW.0502","error_msg":"bad gateway"}' }));
    await expect(remoteRequest({ baseUrl: base, ...creds }, { method: 'GET', path: '/x' }, deps())).rejects.toMatchObject({ code: 'APIGW.0502', status: 502 });
  });

  it('does not retry a client error, and parses the KMS nested shape', async () => {
    plan = [{ status: 400, body: '{"error":{"error_code":"KMS.0207","error_msg":"no such key"}}' }];
    seen.length = 0;
    await expect(remoteRequest({ baseUrl: base, ...creds }, { method: 'POST', path: '/x', body: {} }, deps())).rejects.toMatchObject({
      code: 'KMS.0207',
      status: 400,
    });
    expect(seen).toHaveLength(1);
  });

  it('turns an unreachable host into a typed error after retrying', async () => {
    const d = deps();
    await expect(remoteRequest({ baseUrl: 'http://127.0.0.1:1', ...creds }, { method: 'GET', path: '/x' }, d)).rejects.toMatchObject({ code: 'REMOTE.0001' });
    expect(d.sleeps).toHaveLength(3);
  });

  it('bounds backoff delays by the cap', () => {
    for (let i = 0; i < 200; i++) expect(backoffDelay(DEFAULT_RETRY, 20)).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs);
  });

  it('reads errors in the flat, nested, camelCase and non-JSON forms', () => {
    expect(remoteError(400, '{"error_code":"CSMS.0005","error_msg":"x"}').code).toBe('CSMS.0005');
    expect(remoteError(400, '{"errorCode":"E1","errorMsg":"y"}').code).toBe('E1');
    expect(remoteError(500, 'oops')).toMatchObject({ code: 'REMOTE.500', status: 500 });
  });
});

describe('remote HTTP client: writes that must not happen twice', () => {
  const write = { method: 'POST' as const, path: '/v1/p1/secrets/db/versions', body: { secret_string: 'x' }, idempotent: false };

  it('a 500, 502 or 504 to a write is an unknown outcome: one try, never resent', async () => {
    for (const status of [500, 502, 504]) {
      plan = [{ status, body: '{"error_code":"X.1","error_msg":"?"}' }];
      seen.length = 0;
      const e = await remoteRequest({ baseUrl: base, ...creds }, write, deps()).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(OutcomeUnknown);
      expect(e).toMatchObject({ code: 'REMOTE.0006', answered: true });
      expect(seen).toHaveLength(1);
    }
  });

  it('429 and 503 (the remote refused before acting) are retried for a write too', async () => {
    plan = [
      { status: 503, body: '' },
      { status: 429, body: '' },
    ];
    seen.length = 0;
    expect((await remoteRequest({ baseUrl: base, ...creds }, write, deps())).body).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
  });

  it('a refused connection (nothing sent) is retried; the same write that timed out is not', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const d = deps();
    await expect(remoteRequest({ baseUrl: `http://127.0.0.1:${port}`, ...creds }, write, d)).rejects.toMatchObject({ code: 'REMOTE.0001' });
    expect(d.sleeps).toHaveLength(3);
    const timedOut = deps();
    timedOut.fetch = async () => {
      throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    };
    await expect(remoteRequest({ baseUrl: base, ...creds }, write, timedOut)).rejects.toMatchObject({ code: 'REMOTE.0006', answered: false });
    expect(timedOut.sleeps).toHaveLength(0);
  });

  it('an answer cut off mid-body is an unknown outcome for a write, a retry for a read', async () => {
    let calls = 0;
    const cut = deps();
    cut.fetch = async () => {
      calls++;
      return { ok: true, status: 200, text: async () => Promise.reject(new Error('terminated')) } as unknown as Response;
    };
    await expect(remoteRequest({ baseUrl: base, ...creds }, write, cut)).rejects.toBeInstanceOf(OutcomeUnknown);
    expect(calls).toBe(1);
    await expect(remoteRequest({ baseUrl: base, ...creds }, { method: 'GET', path: '/x' }, cut)).rejects.toMatchObject({ code: 'REMOTE.0001' });
    expect(calls).toBe(5);
  });
});
