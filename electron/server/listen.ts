/**
 * Listening, for every server Keyhold runs (`keyhold serve`, `keyhold serve --ui`): plain HTTP
 * or TLS from PEM files, the socket-level bounds of SERVER_TIMEOUTS, a refusal naming the
 * address when it cannot listen, the URL it listens at, and a stop on SIGTERM or SIGINT.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { SERVER_TIMEOUTS } from './http.js';

export interface ListenOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** PEM files; both or neither (the CLI's flag parser checks). */
  tlsCert?: string;
  tlsKey?: string;
}

export interface Listening {
  server: Server;
  /** The port bound (the one asked for, or the free one found for 0). */
  port: number;
  /** `scheme://host:port`, an IPv6 host in brackets. */
  url: string;
}

function readTls(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new KeyholdError(LocalErrors.BadArgument, `Cannot read the TLS ${what} from ${path}.`, 400);
  }
}

export async function listen(opts: ListenOptions, listener: RequestListener): Promise<Listening> {
  const scheme = opts.tlsCert ? 'https' : 'http';
  const server: Server = opts.tlsCert
    ? createHttpsServer({ ...SERVER_TIMEOUTS, cert: readTls(opts.tlsCert, 'certificate'), key: readTls(opts.tlsKey as string, 'key') }, listener)
    : createHttpServer(SERVER_TIMEOUTS, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new KeyholdError(LocalErrors.BadArgument, `Cannot listen on ${opts.host}:${opts.port} (${e.code ?? e.message}).`, 400)),
    );
    server.listen(opts.port, opts.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { server, port, url: `${scheme}://${host}:${port}` };
}

/**
 * Resolves once a termination signal has closed the server: `before` runs first (web mode
 * locks the vault), then the server stops accepting and its open connections are ended.
 */
export function closeOnSignal(server: Server, before: () => Promise<unknown> = async () => undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      void before().finally(() => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
