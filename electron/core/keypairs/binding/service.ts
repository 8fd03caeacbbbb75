/**
 * The KPS binding operations: check the request, record a RUNNING task, and hand the SSH work
 * to the background, where the engine runs and the task records its outcome. Credentials live
 * only in the closure of that work; they are never written anywhere.
 */
import { networkFirst, type Handlers, type InputOf } from '../../../../shared/operations/index.js';
import type { kpsBindingOperations } from '../../../../shared/operations/kps-binding.js';
import type { ServerInfo } from '../../../../shared/operations/servers.js';
import { findServer } from '../../servers/inventory.js';
import type { SshAuth } from '../../servers/ssh.js';
import type { RecordStore } from '../../vault/store.js';
import { bind, unbind, type BindTarget } from './engine.js';
import { BindingErrors, bindingError } from './errors.js';
import { readPrivateKey, writeKey } from '../formats/index.js';
import { keypairForBinding } from './keypair-source.js';
import type { KmsContext } from '../../kms/context.js';
import { loadPrivateKey, publicBlobOfLine } from './keys.js';
import { failedInfo, newTask, runningInfo, runningOn, runTask, TASK_TABLE, taskStatus, type BackgroundLike, type TaskHooks, type TaskRecord } from './tasks.js';

export interface BindingContext extends KmsContext {
  background: BackgroundLike;
  /** From the transport: cancels the tasks this call starts, hears their outcomes. */
  hooks?: TaskHooks;
}

type AuthInput = { type: 'password' | 'keypair'; key?: string | undefined; keypair_name?: string | undefined; passphrase?: string | undefined } | undefined;

/**
 * An encrypted login key given with its passphrase, opened before the transaction (its KDF,
 * bounded like any key file's, may take seconds: docs/architecture.md, network-first) into the
 * unencrypted OpenSSH text the task uses; it lives only in this call and the task's closure.
 */
async function openedLoginKey(auth: AuthInput): Promise<string | null> {
  if (auth?.passphrase === undefined) return null;
  if (auth.type !== 'keypair' || auth.key === undefined)
    throw bindingError(BindingErrors.Invalid, 'Invalid parameter server.auth.passphrase: it opens an encrypted server.auth.key (auth type keypair).');
  const parsed = await readPrivateKey(auth.key, auth.passphrase).catch((e: unknown) => {
    const err = e as { code?: string; message?: string };
    throw bindingError(BindingErrors.Invalid, `Invalid parameter server.auth.key: ${err.message ?? 'it does not open with this passphrase'}`);
  });
  return writeKey('openssh', parsed, { comment: parsed.comment });
}

/** The input with an opened login key in place of the encrypted one and its passphrase. */
function withOpenedKey<T extends { server: { auth?: AuthInput } }>(input: T, opened: string | null): T {
  if (opened === null || !input.server.auth) return input;
  const { passphrase: _used, ...auth } = input.server.auth;
  return { ...input, server: { ...input.server, auth: { ...auth, key: opened } } };
}

function target(store: RecordStore, id: string, port: number | undefined): { server: ServerInfo; target: BindTarget } {
  const server = findServer(store, id);
  if (!server) throw bindingError(BindingErrors.ServerNotFound, `Server ${id} does not exist: add it with \`keyhold servers add\`.`, 404);
  if (!server.host_key_fingerprint || !server.host_key_type) {
    throw bindingError(
      BindingErrors.HostKeyNotPinned,
      `The host key of server ${server.name} is not pinned: check it and run \`keyhold servers pin-host-key --id ${server.id}\` first.`,
    );
  }
  return {
    server,
    target: {
      host: server.host,
      port: port ?? server.port,
      user: server.user,
      host_key_fingerprint: server.host_key_fingerprint,
      host_key_type: server.host_key_type,
      sshd_config: server.sshd_config,
    },
  };
}

/** The login credential: a password, a private key given as text, or a hosted key pair's private key named by `keypair_name`. */
function credential(ctx: KmsContext, auth: AuthInput): { auth: SshAuth; blob: string | null } {
  if (!auth)
    throw bindingError(
      BindingErrors.Missing,
      'Missing parameter: server.auth is required (Keyhold logs in over SSH with the password or the private key that works now).',
    );
  if (auth.passphrase !== undefined)
    throw bindingError(
      BindingErrors.Invalid,
      'Invalid parameter server.auth.passphrase: only associate-keypair and disassociate-keypair open an encrypted key (not the batch).',
    );
  if (auth.type === 'password') {
    if (auth.keypair_name !== undefined)
      throw bindingError(BindingErrors.Invalid, 'Invalid parameter server.auth.keypair_name: it goes with auth type keypair, not password.');
    if (auth.key === undefined) throw bindingError(BindingErrors.Missing, 'Missing parameter: server.auth.key (the password that logs in today).');
    return { auth: { type: 'password', password: auth.key }, blob: null };
  }
  if ((auth.key === undefined) === (auth.keypair_name === undefined)) {
    throw bindingError(
      BindingErrors.Missing,
      'Missing parameter: server.auth needs exactly one of key (the private key that logs in today) and keypair_name (a key pair whose private key Keyhold hosts).',
    );
  }
  let text = auth.key;
  if (auth.keypair_name !== undefined) {
    text = keypairForBinding(ctx, auth.keypair_name).hostedPrivateKey ?? undefined;
    if (text === undefined)
      throw bindingError(
        BindingErrors.Invalid,
        `Invalid parameter server.auth.keypair_name: Keyhold does not host the private key of key pair '${auth.keypair_name}' (host it under Key pairs, or give the key).`,
      );
  }
  const key = loadPrivateKey(text as string, auth.keypair_name === undefined ? 'server.auth.key' : `the hosted private key of ${auth.keypair_name}`);
  return { auth: { type: 'key', privateKey: key.openssh }, blob: key.publicBlob };
}

function refuseBusy(store: RecordStore, server: ServerInfo): void {
  const running = runningOn(store, server.id);
  if (running) throw bindingError(BindingErrors.Invalid, `Task ${running.task_id} is still running on server ${server.name}; wait for it to finish.`);
}

/** Checks one associate body and starts its task; throws a KeyholdError before any change. */
function associate(ctx: BindingContext, input: InputOf<typeof kpsBindingOperations.associateKeypair>): TaskRecord {
  const { server, target: t } = target(ctx.store, input.server.id, input.server.port);
  const { auth } = credential(ctx, input.server.auth);
  const { publicKey, hostedPrivateKey } = keypairForBinding(ctx, input.keypair_name);
  // The proof login uses the caller's private key, else the hosted one; without either the
  // bind still adds the key but removes nothing it cannot prove safe to remove.
  const proofText = input.keypair_private_key ?? hostedPrivateKey;
  const proof = proofText === null ? null : loadPrivateKey(proofText, input.keypair_private_key === undefined ? 'hosted private key' : 'keypair_private_key');
  if (proof && proof.publicBlob !== publicBlobOfLine(publicKey)) {
    throw bindingError('KPS.7003', `Invalid parameter keypair_private_key: it is not the private key of key pair '${input.keypair_name}'.`);
  }
  refuseBusy(ctx.store, server);
  // The cloud names a bind by its credential: a password resets, the current private key replaces.
  const task = newTask(ctx.store, ctx.now(), {
    server_id: server.id,
    server_name: server.name,
    keypair_name: input.keypair_name,
    operate: auth.type === 'password' ? 'RESET' : 'REPLACE',
  });
  const plan = {
    server: t,
    auth,
    keypairName: input.keypair_name,
    publicKey,
    proofKey: proof?.openssh ?? null,
    disablePassword: input.server.disable_password,
  };
  const hooks = ctx.hooks ?? {};
  ctx.background.start(() => runTask(ctx.background, task, () => bind(plan, { signal: hooks.signal }), hooks));
  return task;
}

/** Checks an unbind request and starts its task; throws a KeyholdError before any change. */
function disassociate(ctx: BindingContext, input: InputOf<typeof kpsBindingOperations.disassociateKeypair>): { task_id: string } {
  const { server, target: t } = target(ctx.store, input.server.id, input.server.port);
  const { auth, blob } = credential(ctx, input.server.auth);
  const control = input.keypair_private_key === undefined ? null : loadPrivateKey(input.keypair_private_key, 'keypair_private_key');
  refuseBusy(ctx.store, server);
  const task = newTask(ctx.store, ctx.now(), { server_id: server.id, server_name: server.name, keypair_name: '', operate: 'UNBIND' });
  const plan = { server: t, auth, authBlob: blob, controlKey: control?.openssh ?? null };
  const hooks = ctx.hooks ?? {};
  ctx.background.start(() => runTask(ctx.background, task, async () => ({ keypair_name: (await unbind(plan, { signal: hooks.signal })).join(',') }), hooks));
  return { task_id: task.task_id };
}

function page<T>(all: T[], limit: number, offset: number): { total: number; tasks: T[] } {
  return { total: all.length, tasks: all.slice(offset, offset + limit) };
}

function tasksIn(store: RecordStore, state: TaskRecord['state']): TaskRecord[] {
  return store
    .list<TaskRecord>(TASK_TABLE)
    .filter((t) => t.state === state)
    .sort((a, b) => a.task_time - b.task_time || a.task_id.localeCompare(b.task_id));
}

export const kpsBindingHandlers: Handlers<typeof kpsBindingOperations, BindingContext> = {
  associateKeypair: networkFirst({
    network: (_ctx, input) => openedLoginKey(input.server.auth),
    commit: (ctx, input, opened) => ({ task_id: associate(ctx, withOpenedKey(input, opened)).task_id }),
  }),
  batchAssociateKeypair(ctx, input) {
    const names = new Set(input.batch_keypairs.map((b) => b.keypair_name));
    if (names.size > 1) throw bindingError(BindingErrors.Invalid, 'Invalid parameter batch_keypairs: every entry must bind the same key pair.');
    return {
      tasks: input.batch_keypairs.map((body) => {
        try {
          return { task_id: associate(ctx, body).task_id, server_id: body.server.id, status: 'SUCCESS' as const };
        } catch (e) {
          const err = e as { code?: string; message?: string };
          return {
            server_id: body.server.id,
            status: 'FAILED' as const,
            error_code: err.code ?? BindingErrors.Invalid,
            error_msg: err.message ?? 'invalid entry',
          };
        }
      }),
    };
  },
  disassociateKeypair: networkFirst({
    network: (_ctx, input) => openedLoginKey(input.server.auth),
    commit: (ctx, input, opened) => disassociate(ctx, withOpenedKey(input, opened)),
  }),
  listKeypairTask(ctx, input) {
    const task = ctx.store.read<TaskRecord>(TASK_TABLE, input.task_id);
    if (!task) throw bindingError(BindingErrors.TaskNotFound, `Task ${input.task_id} does not exist.`, 404);
    const failure = task.state === 'FAILED' && task.task_error_code ? { task_error_code: task.task_error_code, task_error_msg: task.task_error_msg ?? '' } : {};
    return { server_id: task.server_id, task_id: task.task_id, task_status: taskStatus(task), ...failure };
  },
  listRunningTask(ctx, input) {
    return page(tasksIn(ctx.store, 'RUNNING').map(runningInfo), input.limit, input.offset);
  },
  listFailedTask(ctx, input) {
    return page(tasksIn(ctx.store, 'FAILED').map(failedInfo), input.limit, input.offset);
  },
  deleteFailedTask(ctx, input) {
    const task = ctx.store.read<TaskRecord>(TASK_TABLE, input.task_id);
    if (!task || task.state !== 'FAILED') throw bindingError(BindingErrors.TaskNotFound, `No failed task ${input.task_id}.`, 404);
    ctx.store.delete(TASK_TABLE, task.task_id);
    return {};
  },
  deleteAllFailedTask(ctx) {
    for (const t of tasksIn(ctx.store, 'FAILED')) ctx.store.delete(TASK_TABLE, t.task_id);
    return {};
  },
};
