/**
 * A small in-memory remote on loopback for sync tests: KMS list-keys, the CSMS secret routes a
 * sync uses, KPS key pairs; project id `p`, signatures not checked. `holdNext` makes the next
 * request to one route wait until the test releases it (a slow remote, on demand); `failing`
 * routes answer 500 (a broken remote, on demand).
 */
import { createServer } from 'node:http';
import { Hold } from './hold.js';

export interface StubKey {
  key_id: string;
  key_alias: string;
  key_spec: string;
  key_usage: string;
  key_state: string;
}

export interface StubRemote {
  url: string;
  keys: StubKey[];
  /** Secret name → its values, v1 first. */
  secrets: Map<string, string[]>;
  /** Key pair name → public key line. */
  keypairs: Map<string, string>;
  /** The next `method path` request waits at the returned hold until it is released. */
  holdNext(method: string, path: string): Hold;
  /** `METHOD /path` of routes that answer 500 for now. */
  failing: Set<string>;
  close(): Promise<void>;
}

export async function startStubRemote(): Promise<StubRemote> {
  const keys: StubKey[] = [];
  const secrets = new Map<string, string[]>();
  const keypairs = new Map<string, string>();
  const holds = new Map<string, Hold>();
  const failing = new Set<string>();

  const route = (method: string, path: string, body: Record<string, unknown>): [number, unknown] => {
    const missing: [number, unknown] = [404, { error_code: 'CSMS.0005', error_msg: 'no such secret' }];
    if (method === 'POST' && path === '/v1.0/p/kms/list-keys') return [200, { key_details: keys, truncated: 'false', total: keys.length }];
    if (method === 'GET' && path === '/v3/p/keypairs')
      return [200, { keypairs: [...keypairs].map(([name, public_key]) => ({ keypair: { name, public_key } })), page_info: {} }];
    if (method === 'POST' && path === '/v3/p/keypairs') {
      const kp = body.keypair as { name: string; public_key: string };
      keypairs.set(kp.name, kp.public_key);
      return [200, { keypair: kp }];
    }
    if (method === 'GET' && path === '/v1/p/secrets')
      return [200, { secrets: [...secrets.keys()].map((name) => ({ id: `id-${name}`, name, state: 'ENABLED' })), page_info: { current_count: secrets.size } }];
    if (method === 'POST' && path === '/v1/p/secrets') {
      secrets.set(body.name as string, [body.secret_string as string]);
      return [200, { secret: { name: body.name } }];
    }
    const m = /^\/v1\/p\/secrets\/([^/]+)(\/versions(?:\/(v\d+))?)?$/.exec(path);
    const values = m ? secrets.get(decodeURIComponent(m[1] as string)) : undefined;
    if (!m || !values) return missing;
    // SYSCURRENT on the newest version, SYSPREVIOUS on the one before (no stage moves here).
    const stagesOf = (i: number) => (i === values.length - 1 ? ['SYSCURRENT'] : i === values.length - 2 ? ['SYSPREVIOUS'] : []);
    if (method === 'GET' && !m[2])
      return [200, { secret: { id: `id-${decodeURIComponent(m[1] as string)}`, name: decodeURIComponent(m[1] as string), state: 'ENABLED' } }];
    if (method === 'GET' && !m[3])
      return [
        200,
        {
          version_metadatas: values.map((_, i) => ({ id: `v${i + 1}`, create_time: 1_700_000_000_000 + i, version_stages: stagesOf(i) })),
          page_info: { current_count: values.length },
        },
      ];
    if (method === 'GET') {
      const value = values[Number((m[3] as string).slice(1)) - 1];
      return value === undefined ? missing : [200, { version: { secret_string: value } }];
    }
    if (method === 'POST' && !m[3]) {
      values.push(body.secret_string as string);
      return [200, { version_metadata: { id: `v${values.length}` } }];
    }
    return [404, { error_code: 'APIGW.0101', error_msg: `no route ${method} ${path}` }];
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? '';
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const hold = holds.get(`${method} ${path}`);
      holds.delete(`${method} ${path}`);
      void (hold?.pass() ?? Promise.resolve()).then(() => {
        const [status, body] = failing.has(`${method} ${path}`)
          ? [500, { error_code: 'CSMS.0001', error_msg: 'internal error' }]
          : route(method, path, chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {});
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    keys,
    secrets,
    keypairs,
    failing,
    holdNext(method, path) {
      const hold = new Hold();
      holds.set(`${method} ${path}`, hold);
      return hold;
    },
    close: () =>
      new Promise((r) => {
        for (const h of holds.values()) h.release();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
