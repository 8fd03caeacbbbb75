/**
 * A loopback SSH host for host-key tests that need no root and no sshd: an ssh2 server with a
 * fresh ECDSA P-256 host key that accepts no login, and a TCP proxy in front of it that can hold a
 * new connection (no byte either way) until the test releases it.
 */
import { createHash } from 'node:crypto';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server, utils } from 'ssh2';
import { Hold } from './hold.js';

export interface SshHost {
  port: number;
  /** The host key's fingerprint as ssh-keygen -l prints it. */
  fingerprint: string;
  close(): Promise<void>;
}

export async function startSshHost(): Promise<SshHost> {
  // Not Ed25519: ssh2 1.17's generator writes a private key its own parser rejects about once in
  // 250 keys ("Malformed OpenSSH private key"); its ECDSA keys parsed 3000 times out of 3000.
  const key = utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const blob = Buffer.from(key.public.split(' ')[1] as string, 'base64');
  const server = new Server({ hostKeys: [key.private] }, (client) => {
    client.on('authentication', (ctx) => ctx.reject());
    client.on('error', () => undefined);
  });
  const port = await listen(server);
  return {
    port,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface HoldingProxy {
  port: number;
  /** The next connection waits at the returned hold before it reaches the host. */
  holdNext(): Hold;
  close(): Promise<void>;
}

export async function holdingProxy(targetPort: number): Promise<HoldingProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  let next: Hold | undefined;
  const server = createServer((inbound) => {
    track(inbound);
    const hold = next;
    next = undefined;
    void (hold?.pass() ?? Promise.resolve()).then(() => {
      const outbound = connect(targetPort, '127.0.0.1');
      track(outbound);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
  });
  const port = await listen(server);
  return {
    port,
    holdNext: () => (next = new Hold()),
    close: () =>
      new Promise((r) => {
        next?.release();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function listen(server: NetServer | Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
}
