// A server for the `serve` bench section, in its own process so the load generator does not
// share its event loop: `keyhold` (the real keyhold serve stack on a fresh vault) or `bare`
// (plain node:http doing the same AES-256-GCM encryption). Prints one JSON line when listening.
import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Session } from '../../electron/core/api/index.js';
import { akskAuthenticator } from '../../electron/server/aksk.js';
import { keyholdRequestListener } from '../../electron/server/http.js';
import { tempDir } from '../helpers/vault.js';

const mode = process.argv[2];
if (mode === 'bare') {
  const key = randomBytes(32);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { plain_text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { plain_text: string };
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([iv, c.update(plain_text, 'utf8'), c.final(), c.getAuthTag()]);
      res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify({ key_id: 'bare', cipher_text: ct.toString('base64') }));
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
} else {
  const session = await Session.create(join(tempDir('keyhold-bench-serve-'), 'v.db'), 'bench password', { kdfTargetMs: 10 });
  const { credential } = await session.invoke('createAccessKey', {}, 'cli');
  const { key_info } = await session.invoke('createKey', { key_alias: 'bench' }, 'cli');
  const server = createServer(keyholdRequestListener(session, { authenticators: [akskAuthenticator(session)] }));
  server.listen(0, '127.0.0.1', () =>
    console.log(
      JSON.stringify({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        project_id: session.domain.project_id,
        key_id: key_info.key_id,
        ...credential,
      }),
    ),
  );
}
