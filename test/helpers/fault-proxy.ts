/**
 * A loopback HTTP proxy in front of a real `keyhold serve`, breaking chosen requests the way
 * networks do: the request reaches the server and its answer is dropped (`drop-answer`), cut
 * off in the middle of its body (`reset-mid-body`) or held past the client's 6 s timeout
 * (`delay-answer`); or the proxy answers 503 without forwarding (`unavailable`) or 500 without
 * forwarding (`fail`). Headers pass unchanged (the Host header included), so signatures still
 * verify upstream.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';

export type Fault = 'drop-answer' | 'reset-mid-body' | 'delay-answer' | 'unavailable' | 'fail';

/** Longer than the client's per-try timeout (http-client.ts DEFAULT_RETRY.timeoutMs). */
const DELAY_MS = 6_500;

interface Armed {
  method: string;
  path: RegExp;
  fault: Fault;
  /** Matching requests let through before the fault starts. */
  skip: number;
  times: number;
}

export interface FaultProxy {
  url: string;
  /** Breaks the next `times` requests matching `method` and `path` (after letting `skip` through). */
  arm(method: string, path: RegExp, fault: Fault, opts?: { times?: number; skip?: number }): void;
  /** `METHOD /path` of every request that reached the server (faulted ones included). */
  forwarded: string[];
  clear(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let armed: Armed[] = [];
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const rule = armed.find((a) => a.method === method && a.path.test(path));
      let fault: Fault | undefined;
      if (rule) {
        if (rule.skip > 0) rule.skip--;
        else if (rule.times > 0) {
          rule.times--;
          fault = rule.fault;
        }
      }
      if (fault === 'unavailable' || fault === 'fail') {
        res.writeHead(fault === 'fail' ? 500 : 503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error_code: fault === 'fail' ? 'APIGW.0500' : 'APIGW.0503', error_msg: `fault proxy: ${fault}` }));
        return;
      }
      forwarded.push(`${method} ${path}`);
      const up = request({ host: target.hostname, port: target.port, method, path: req.url, headers: req.headers }, (upRes) => {
        const body: Buffer[] = [];
        upRes.on('data', (c: Buffer) => body.push(c));
        upRes.on('end', () => {
          const bytes = Buffer.concat(body);
          const answer = () => {
            res.writeHead(upRes.statusCode ?? 502, headersOf(upRes.headers, bytes.length));
            res.end(bytes);
          };
          if (fault === 'drop-answer') req.socket.destroy();
          else if (fault === 'reset-mid-body') {
            res.writeHead(upRes.statusCode ?? 502, headersOf(upRes.headers, bytes.length));
            res.write(bytes.subarray(0, Math.max(1, bytes.length >> 1)), () => req.socket.destroy());
          } else if (fault === 'delay-answer') setTimeout(() => (res.destroyed ? undefined : answer()), DELAY_MS);
          else answer();
        });
      });
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    forwarded,
    arm(method, path, fault, opts = {}) {
      armed.push({ method, path, fault, skip: opts.skip ?? 0, times: opts.times ?? 1 });
    },
    clear() {
      armed = [];
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function headersOf(h: IncomingHttpHeaders, length: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive') out[k] = Array.isArray(v) ? v.join(', ') : v;
  out['content-length'] = String(length);
  return out;
}
