/**
 * `keyhold serve [--host 127.0.0.1] [--port 0] [--tls-cert F --tls-key F]`: unlocks the vault,
 * listens, prints one JSON line `{"url","project_id"}` once listening, and shuts down cleanly
 * on SIGTERM or SIGINT.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import type { Session } from '../core/api/index.js';
import { akskAuthenticator } from '../server/aksk.js';
import { keyholdRequestListener } from '../server/http.js';
import { closeOnSignal, listen, type ListenOptions } from '../server/listen.js';

export interface ServeOptions extends ListenOptions {
  /** Web mode: more Host names browsers may use (comma-separated `--allow-host`). */
  allowHosts?: string[];
}

export function parseServeFlags(flags: Map<string, string | true>): ServeOptions {
  const opts: ServeOptions = { host: '127.0.0.1', port: 0 };
  for (const [name, value] of flags) {
    if (value === true) throw new KeyholdError(LocalErrors.BadArgument, `Option --${name} needs a value.`, 400);
    if (name === 'host') opts.host = value;
    else if (name === 'port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KeyholdError(LocalErrors.BadArgument, 'Option --port must be 0-65535.', 400);
      opts.port = port;
    } else if (name === 'tls-cert') opts.tlsCert = value;
    else if (name === 'tls-key') opts.tlsKey = value;
    else if (name === 'allow-host') opts.allowHosts = parseAllowHosts(value);
    else
      throw new KeyholdError(LocalErrors.BadArgument, `Unknown option --${name} for serve (known: --host, --port, --tls-cert, --tls-key, --allow-host).`, 400);
  }
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new KeyholdError(LocalErrors.BadArgument, 'Options --tls-cert and --tls-key go together.', 400);
  return opts;
}

/** `--allow-host a.example,192.0.2.7`: host names or addresses, no port, no scheme. */
function parseAllowHosts(value: string): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const bad = names.find((n) => !/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[A-Za-z0-9.-]{1,253})$/.test(n));
  if (!names.length || bad !== undefined)
    throw new KeyholdError(
      LocalErrors.BadArgument,
      `Option --allow-host takes host names or addresses separated by commas${bad ? `, not ${bad.slice(0, 80)}` : ''}.`,
      400,
    );
  return names;
}

/** Serves until a termination signal; resolves when the server has closed. */
export async function serve(session: Session, opts: ServeOptions): Promise<void> {
  const { server, url } = await listen(opts, keyholdRequestListener(session, { authenticators: [akskAuthenticator(session)] }));
  process.stdout.write(`${JSON.stringify({ url, project_id: session.domain.project_id })}\n`);
  await closeOnSignal(server);
}
