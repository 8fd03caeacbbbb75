/**
 * The CLI's side of the agent's channel: find the agent serving a vault, prove it is one (a
 * hello answered within a deadline, naming the same vault), and exchange one request for its
 * answer. Sockets that are not the user's own are refused before connecting (paths.ts); a
 * listener that is not a Keyhold agent is refused after the hello.
 */
import { connect, type Socket } from 'node:net';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { AgentErrors } from '../../shared/operations/ssh-agent.js';
import { readLines, send, type Message } from './lines.js';
import { agentPaths, checkSocketBeforeConnect, realVaultPath } from './paths.js';

export const AGENT_PROTOCOL = 'keyhold-agent/1';
/** How long a listener has to answer the hello before it is judged not to be an agent. */
const HELLO_TIMEOUT_MS = 3000;

export interface AgentHello {
  agent: typeof AGENT_PROTOCOL;
  vault: string;
  pid: number;
  socket: string;
  ssh_auth_sock: string;
  locked: boolean;
}

function notAnAgent(socket: string, why: string): KeyholdError {
  return new KeyholdError(
    AgentErrors.NotAnAgent,
    `${socket} is not a Keyhold agent (${why}): refused. Unset KEYHOLD_AGENT_SOCK or point it at \`keyhold agent start\`'s socket.`,
    400,
  );
}

function isHello(m: Message | null): m is Message & AgentHello {
  return (
    m !== null &&
    m.agent === AGENT_PROTOCOL &&
    typeof m.vault === 'string' &&
    typeof m.pid === 'number' &&
    typeof m.socket === 'string' &&
    typeof m.ssh_auth_sock === 'string' &&
    typeof m.locked === 'boolean'
  );
}

/** An open, greeted connection to an agent. */
export class AgentConnection {
  private waiting: ((m: Message | null) => void) | undefined;
  private readonly queued: (Message | null)[] = [];
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly socket: Socket,
  ) {
    readLines(socket, (m) => this.deliver(m));
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.(null);
    });
  }

  private deliver(m: Message | null): void {
    if (this.waiting) this.waiting(m);
    else this.queued.push(m);
  }

  /** The next message, or null when the connection closed (or sent something not JSON). */
  next(timeoutMs?: number): Promise<Message | null | 'timeout'> {
    if (this.queued.length) return Promise.resolve(this.queued.shift() as Message | null);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done('timeout'), timeoutMs);
      const done = (m: Message | null | 'timeout') => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(m);
      };
      this.waiting = done;
    });
  }

  send(m: Message): void {
    send(this.socket, m);
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * Connects and greets. Null when nothing listens there (no agent, or a stale socket file);
   * throws AGENT.0201 for a socket that is not the user's own, AGENT.0202 for a listener that
   * does not answer as an agent.
   */
  static async open(path: string): Promise<{ conn: AgentConnection; hello: AgentHello } | null> {
    if (!checkSocketBeforeConnect(path)) return null;
    const socket = await new Promise<Socket | null>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', (e: NodeJS.ErrnoException) =>
        e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? resolve(null) : reject(notAnAgent(path, e.code ?? e.message)),
      );
    });
    if (!socket) return null;
    socket.on('error', () => undefined);
    const conn = new AgentConnection(path, socket);
    conn.send({ hello: AGENT_PROTOCOL });
    const reply = await conn.next(HELLO_TIMEOUT_MS);
    if (reply !== 'timeout' && isHello(reply)) return { conn, hello: reply };
    conn.close();
    throw notAnAgent(path, reply === 'timeout' ? `no answer within ${HELLO_TIMEOUT_MS / 1000} s` : 'it closed the connection or answered something else');
  }
}

/**
 * The agent serving `vault`: the one at $KEYHOLD_AGENT_SOCK when it serves this vault, else
 * the vault's default socket when an agent answers there; undefined when there is none.
 */
export async function findAgent(vault: string): Promise<{ conn: AgentConnection; hello: AgentHello } | undefined> {
  if (process.platform === 'win32') return undefined;
  const real = realVaultPath(vault);
  const candidates = [process.env.KEYHOLD_AGENT_SOCK, agentPaths(vault).cli].filter((p): p is string => Boolean(p));
  for (const path of new Set(candidates)) {
    const found = await AgentConnection.open(path);
    if (!found) continue;
    if (found.hello.vault === real) return found;
    found.conn.close();
  }
  return undefined;
}

/** The error the agent sent, rebuilt so the CLI prints it and exits exactly as it would locally. */
export function errorFrom(m: Message): KeyholdError | undefined {
  const e = m.error as { code?: unknown; message?: unknown; status?: unknown } | undefined;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.status !== 'number') return undefined;
  return new KeyholdError(e.code, e.message, e.status);
}

/** Reads answers until the result; progress messages go to `onProgress`. */
export async function awaitResult(conn: AgentConnection, onProgress?: (p: { done: number; total: number }) => void): Promise<unknown> {
  for (;;) {
    const m = await conn.next();
    if (m === null || m === 'timeout') throw new KeyholdError(LocalErrors.Internal, 'The agent closed the connection before answering.', 500);
    if ('result' in m) return m.result;
    const err = errorFrom(m);
    if (err) throw err;
    const p = m.progress as { done?: unknown; total?: unknown } | undefined;
    if (p && typeof p.done === 'number' && typeof p.total === 'number') onProgress?.({ done: p.done, total: p.total });
  }
}
