/** The server inventory: records in the vault, and host-key pinning (trust on first use, explicit). */
import { KeyholdError } from '../../../shared/errors.js';
import { commitConflict, networkFirst, type Handlers } from '../../../shared/operations/index.js';
import type { ServerInfo, serversOperations } from '../../../shared/operations/servers.js';
import { newUuid } from '../crypto/random.js';
import type { RecordStore } from '../vault/store.js';
import { readHostKey, SshFailure } from './ssh.js';
import { ServersErrors } from './errors.js';

export const SERVER_TABLE = 'servers';

export interface ServersContext {
  store: RecordStore;
  now(): number;
}

export function findServer(store: RecordStore, id: string): ServerInfo | undefined {
  return store.read<ServerInfo>(SERVER_TABLE, id);
}

function getServer(store: RecordStore, id: string): ServerInfo {
  const s = findServer(store, id);
  if (!s) throw new KeyholdError(ServersErrors.NotFound, `No server with id ${id}: see \`keyhold servers list\`.`, 404);
  return s;
}

function refuseDuplicateName(store: RecordStore, name: string, self?: string): void {
  if (store.list<ServerInfo>(SERVER_TABLE).some((s) => s.name === name && s.id !== self)) {
    throw new KeyholdError(ServersErrors.NameTaken, `A server named ${name} already exists.`, 400);
  }
}

/**
 * Reads the key the server presents now; a pinned key is read again in its own type when the
 * server still has it, so like is compared with like. SERVERS.0006 when nothing could be read.
 */
async function presentedKey(server: ServerInfo): Promise<{ fingerprint: string; type: string }> {
  try {
    return server.host_key_type ? await readHostKey(server, server.host_key_type).catch(() => readHostKey(server)) : await readHostKey(server);
  } catch (e) {
    if (e instanceof SshFailure) throw new KeyholdError(ServersErrors.HostKeyUnreadable, `Cannot read the host key: ${e.message}.`, 502);
    throw e;
  }
}

export const serversHandlers: Handlers<typeof serversOperations, ServersContext> = {
  serversAdd(ctx, input) {
    refuseDuplicateName(ctx.store, input.name);
    const server: ServerInfo = {
      id: newUuid(),
      name: input.name,
      host: input.host,
      port: input.port,
      user: input.user,
      host_key_fingerprint: null,
      host_key_type: null,
      sshd_config: input.sshd_config,
      notes: input.notes,
      created: new Date(ctx.now()).toISOString(),
    };
    ctx.store.put(SERVER_TABLE, server.id, server);
    return { server };
  },
  serversList(ctx) {
    return { servers: ctx.store.list<ServerInfo>(SERVER_TABLE).sort((a, b) => a.name.localeCompare(b.name)) };
  },
  serversShow(ctx, input) {
    return { server: getServer(ctx.store, input.id) };
  },
  serversUpdate(ctx, input) {
    const before = getServer(ctx.store, input.id);
    if (input.name !== undefined) refuseDuplicateName(ctx.store, input.name, before.id);
    const { id: _id, ...changes } = input;
    const server: ServerInfo = { ...before, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
    // A key pinned for one address says nothing about another: the user pins again.
    if (server.host !== before.host || server.port !== before.port) {
      server.host_key_fingerprint = null;
      server.host_key_type = null;
    }
    ctx.store.put(SERVER_TABLE, server.id, server);
    return { server };
  },
  serversRemove(ctx, input) {
    const server = getServer(ctx.store, input.id);
    ctx.store.delete(SERVER_TABLE, server.id);
    return { server };
  },
  async serversScanHostKey(ctx, input) {
    const server = getServer(ctx.store, input.id);
    const key = await presentedKey(server);
    const pinned = server.host_key_fingerprint;
    return {
      scan: {
        server_id: server.id,
        host: server.host,
        port: server.port,
        host_key_fingerprint: key.fingerprint,
        host_key_type: key.type,
        pinned_fingerprint: pinned,
        pinned_type: server.host_key_type,
        status: pinned === null ? 'not-pinned' : pinned === key.fingerprint ? 'matches' : 'changed',
      },
    };
  },
  /**
   * Network-first: the host key is read over SSH (up to the connection timeout) before the write
   * transaction. The commit re-reads the server: an address changed meanwhile makes the key read
   * say nothing about it (VAULT.0506, nothing pinned); a pin set meanwhile is what the key is
   * compared with; any other field changed meanwhile (notes, name) is kept. With `fingerprint`
   * (what the user compared, from scan-host-key), a key read now that is not that one pins
   * nothing: the user trusts what they checked, never whatever answers the second connection.
   */
  serversPinHostKey: networkFirst({
    async network(ctx, input) {
      const server = getServer(ctx.store, input.id);
      const key = await presentedKey(server);
      if (input.fingerprint !== undefined && key.fingerprint !== input.fingerprint) {
        throw new KeyholdError(
          ServersErrors.HostKeyNotChecked,
          `${server.host}:${server.port} now presents ${key.fingerprint}, not the ${input.fingerprint} you checked; nothing was pinned. Check the key again.`,
          409,
        );
      }
      return { read_from: { host: server.host, port: server.port }, key };
    },
    commit(ctx, input, { read_from, key }) {
      const server = getServer(ctx.store, input.id);
      if (server.host !== read_from.host || server.port !== read_from.port) {
        throw commitConflict(
          `Server ${server.name} moved from ${read_from.host}:${read_from.port} to ${server.host}:${server.port} while its host key was read; nothing was pinned. Run pin-host-key again.`,
        );
      }
      if (server.host_key_fingerprint && server.host_key_fingerprint !== key.fingerprint && !input.accept_new) {
        throw new KeyholdError(
          ServersErrors.HostKeyChanged,
          `The host key of ${server.host}:${server.port} changed: pinned ${server.host_key_fingerprint}, now ${key.fingerprint}. If the change is expected, pin it with --accept-new.`,
          409,
        );
      }
      const pinned: ServerInfo = { ...server, host_key_fingerprint: key.fingerprint, host_key_type: key.type };
      ctx.store.put(SERVER_TABLE, pinned.id, pinned);
      return { server: pinned };
    },
  }),
};
