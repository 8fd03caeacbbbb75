/**
 * SSH connections to registered servers, always with a host-key check: ssh2's hostVerifier is
 * set on every connection. `readHostKey` reads the key for pinning; `connectPinned` refuses any
 * key but the pinned one and restricts the negotiation to the pinned key's type, so a server
 * that also has keys of other types always presents the one we know.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Client, ConnectConfig } from 'ssh2';

export type SshFailureKind = 'refused' | 'unreachable' | 'auth' | 'host-key' | 'lost';

/** A connection failure, by kind; the message names host and port, never a credential. */
export class SshFailure extends Error {
  constructor(
    readonly kind: SshFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface Endpoint {
  host: string;
  port: number;
  user: string;
}

export interface PinnedEndpoint extends Endpoint {
  host_key_fingerprint: string;
  host_key_type: string;
}

export type SshAuth = { type: 'password'; password: string } | { type: 'key'; privateKey: string };

const READY_TIMEOUT_MS = 15_000;

/** `SHA256:<base64 without padding>`, exactly as ssh-keygen -l prints it. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an RFC 4253 public key blob. */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len <= 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

/** Host-key algorithms that present a key of `type` (RSA keys sign with three). */
function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

function classify(e: NodeJS.ErrnoException & { level?: string }, where: string): SshFailure {
  if (e.code === 'ECONNREFUSED') return new SshFailure('refused', `connection to ${where} refused`);
  if (e.level === 'client-authentication') return new SshFailure('auth', `${where} did not accept the credentials`);
  if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT') return new SshFailure('unreachable', `${where} did not answer in time`);
  if (e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.code === 'EAI_AGAIN')
    return new SshFailure('unreachable', `${where} cannot be reached (${e.code})`);
  return new SshFailure('lost', `the connection to ${where} failed (${e.code ?? e.level ?? 'protocol error'})`);
}

/** Loaded on first use: only binding and host-key pinning speak SSH, and ssh2 costs ~11 MB of RSS. */
let ClientClass: typeof Client | undefined;

function open(config: ConnectConfig, hostKeyMismatch: () => string | undefined, signal?: AbortSignal): Promise<Client> {
  const where = `${config.host}:${config.port}`;
  return new Promise((resolve, reject) => {
    ClientClass ??= (createRequire(import.meta.url)('ssh2') as { Client: typeof Client }).Client;
    const client = new ClientClass();
    // A cancelled connect ends at once rather than at the ready timeout.
    const onAbort = (): void => {
      reject(new SshFailure('lost', `the connection to ${where} was cancelled`));
      // destroy, not end: a server stuck in the handshake would keep a half-closed socket open.
      client.destroy();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(client);
    });
    // `on`, not `once`: ssh2 may emit a second error (a socket error, then the handshake
    // timeout), and an unheard 'error' event would crash the process. Later ones are no-ops.
    client.on('error', (e: NodeJS.ErrnoException & { level?: string }) => {
      const mismatch = hostKeyMismatch();
      reject(mismatch ? new SshFailure('host-key', mismatch) : classify(e, where));
    });
    client.connect(config);
  });
}

/**
 * Reads the server's host key: of `type` when given (to compare with a pinned key), else the
 * type ssh2 negotiates first. Returns its fingerprint and type.
 */
export async function readHostKey(ep: Pick<Endpoint, 'host' | 'port'>, type?: string): Promise<{ fingerprint: string; type: string }> {
  let seen: Buffer | undefined;
  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    ...(type ? { algorithms: { serverHostKey: algorithmsFor(type) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
    username: 'keyhold-host-key-probe',
    readyTimeout: READY_TIMEOUT_MS,
    // Stop right after the key is seen: nothing is authenticated or sent to an unknown server.
    hostVerifier: (key: Buffer) => {
      seen = Buffer.from(key);
      return false;
    },
  };
  try {
    (await open(config, () => undefined)).end();
  } catch (e) {
    if (!seen) throw e;
  }
  if (!seen) throw new SshFailure('lost', `${ep.host}:${ep.port} presented no host key`);
  return { fingerprint: sha256Fingerprint(seen), type: blobType(seen) };
}

/** Logs in as `ep.user` with `auth`, accepting only the pinned host key; `signal` cancels the attempt. */
export function connectPinned(ep: PinnedEndpoint, auth: SshAuth, readyTimeout = READY_TIMEOUT_MS, signal?: AbortSignal): Promise<Client> {
  let mismatch: string | undefined;
  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    readyTimeout,
    algorithms: { serverHostKey: algorithmsFor(ep.host_key_type) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
    hostVerifier: (key: Buffer) => {
      const got = sha256Fingerprint(key);
      if (got === ep.host_key_fingerprint) return true;
      mismatch = `${ep.host}:${ep.port} presented ${got}, pinned ${ep.host_key_fingerprint}`;
      return false;
    },
    ...(auth.type === 'password' ? { password: auth.password } : { privateKey: auth.privateKey }),
    tryKeyboard: false,
    agent: undefined,
  };
  return open(config, () => mismatch, signal);
}
