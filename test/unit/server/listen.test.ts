// Both servers listen through server/listen.ts: plain HTTP, TLS from PEM files made by openssl,
// an unreadable TLS file named in the refusal, and an address that cannot be bound.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listen } from '../../../electron/server/listen.js';
import { tempDir } from '../../helpers/vault.js';

const hello = (_req: unknown, res: { end(s: string): void }) => res.end('hello');

function selfSigned(): { cert: string; key: string } {
  const dir = tempDir();
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

describe('listen', () => {
  it('serves plain HTTP on a free port and names its URL', async () => {
    const { server, port, url } = await listen({ host: '127.0.0.1', port: 0 }, hello);
    try {
      expect(port).toBeGreaterThan(0);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect(await (await fetch(url)).text()).toBe('hello');
    } finally {
      server.close();
    }
  });

  it('serves TLS with a certificate openssl made, trusted by a client that knows it', async () => {
    const { cert, key } = selfSigned();
    const { server, url } = await listen({ host: '127.0.0.1', port: 0, tlsCert: cert, tlsKey: key }, hello);
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        request(url, { ca: readFileSync(cert) }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('hello');
    } finally {
      server.close();
    }
  });

  it('refuses an unreadable TLS file by its path, and an address it cannot bind', async () => {
    const { key } = selfSigned();
    await expect(listen({ host: '127.0.0.1', port: 0, tlsCert: '/nonexistent/cert.pem', tlsKey: key }, hello)).rejects.toMatchObject({
      code: 'CLI.0002',
      message: expect.stringContaining('/nonexistent/cert.pem'),
    });
    const first = await listen({ host: '127.0.0.1', port: 0 }, hello);
    try {
      await expect(listen({ host: '127.0.0.1', port: first.port }, hello)).rejects.toMatchObject({
        code: 'CLI.0002',
        message: expect.stringContaining('EADDRINUSE'),
      });
    } finally {
      first.server.close();
    }
  });
});
