/**
 * An unlocked vault with its HSM and audit log, and the one dispatcher all transports call:
 * validate → run the implementation → audit, where a mutating operation and its audit entry
 * commit in one transaction (a network-first one does its I/O before that transaction), and a
 * read-only one returns only once its entry is durable.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import {
  parseInput,
  type DueDamage,
  type DuePlan,
  type DueTask,
  type OperationDecl,
  type OperationInput,
  type OperationKey,
  type OperationOutput,
} from '../../../shared/operations/index.js';
import type { DefaultKeyService } from '../../../shared/constants.js';
import { AuditLog, type AuditInput } from '../audit/log.js';
import type { HsmBackend, KeyHandle, WrappedKey } from '../hsm/backend.js';
import { activeAccessKey } from '../iam/access-keys.js';
import { invokeRemote } from '../remote/invoke.js';
import { getRemote } from '../remote/remotes.js';
import { SoftwareHsm } from '../hsm/software.js';
import { HsmRouter } from '../hsm/router.js';
import { KeyStoreConnections } from '../hsm/key-stores.js';
import type { KmsContext } from '../kms/context.js';
import type { Background, CallContext, CallHooks, Caller, Transport } from './call.js';
import { ensureDefaultKey, findDefaultKey } from '../kms/keys.js';
import { DueIndexedStore, rebuildKmsDue } from '../kms/due-index.js';
import { readOnlyStore, type RecordStore } from '../vault/store.js';
import { admit, admitRemote } from './admission.js';
import { claimExclusive } from './exclusive.js';
import { isOffline, runValidatedOffline } from './offline.js';
import { removeDeadTemps } from './dead-temps.js';
import { requireMasterPasswordPolicy } from './password-policy.js';
import type { Keychain } from '../vault/keychain.js';
import { Vault, WriteTx } from '../vault/vault.js';
import { DUE_PRODUCERS, findOperation, GRANTEE_OPERATIONS, operationByKey, type RegisteredOperation } from './registry.js';

export type Credentials = { password: string } | { deviceSecret: Buffer };

/**
 * A grantee calling an operation its service's caller policy does not give it (only KMS grants
 * give any): KMS's 0307 ("role may not call the API"), numbered alike in the called service's
 * own namespace so CSMS and KPS answer in their flat shape.
 */
function roleRefused(decl: OperationDecl, caller: Caller): KeyholdError {
  return new KeyholdError(
    `${decl.service.toUpperCase()}.0307`,
    `Access key ${caller.access_key} may only call operations that KMS grants give (${GRANTEE_OPERATIONS.join(', ')}).`,
    403,
  );
}

export interface SessionOptions {
  /** The clock operations and due work use (tests control it); Date.now by default. */
  now?: () => number;
  /** How often due work (secret rotations, expiries, deletions) runs while open; 60 s by default. */
  dueWorkIntervalMs?: number;
}

/**
 * A call's Background: work queued by `start` runs once the call has committed. A class rather
 * than closures made per call, because every call builds one and most never use it.
 */
class CallBackground implements Background {
  readonly started: (() => Promise<void>)[] = [];

  constructor(
    private readonly vault: Vault,
    private readonly audit: AuditLog,
  ) {}

  start(work: () => Promise<void>): void {
    this.started.push(work);
  }

  async write(operation: string, fields: Record<string, unknown>, change: (store: RecordStore) => void, outcome = 'success'): Promise<void> {
    await this.vault.write(
      (tx) => change(tx),
      (tx) => this.audit.append(tx, { transport: 'system', operation, key_id: null, outcome, fields }),
    );
    await this.audit.anchor();
  }
}

export class Session {
  readonly audit: AuditLog;
  readonly hsm: HsmBackend;
  readonly handles = new Map<WrappedKey, KeyHandle>();
  /** Tokens of PKCS#11 key stores, opened on first use and closed with the session. */
  readonly keyStores = new KeyStoreConnections();
  readonly domain: KmsContext['domain'];
  private readonly ensured = new Set<DefaultKeyService>();
  private readonly running = new Set<Promise<void>>();
  /** Read-only stores by operation name, made once: they hold nothing but the name. */
  private readonly readStores = new Map<string, RecordStore>();
  private readonly now: () => number;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueRunning = false;
  /** Records maintenance found damaged, each audited once per session (not every minute). */
  private readonly reportedDamage = new Set<string>();

  private constructor(
    readonly vault: Vault,
    opts: SessionOptions = {},
  ) {
    this.audit = new AuditLog(vault);
    this.hsm = new HsmRouter(new SoftwareHsm(vault.subkey('hsm-wrap')));
    // Late-bound, so a clock faked after the session opened (vi.setSystemTime) is still seen.
    this.now = opts.now ?? (() => Date.now());
    // The ids never change for a vault (only its password and device wrappings do).
    const h = vault.header;
    this.domain = Object.freeze({ domain_id: h.domain_id, project_id: h.project_id, realm: 'local' });
  }

  /** Creates a vault and writes its first audit entry (and the anchor beside it). */
  static async create(path: string, password: string, opts: { kdfTargetMs?: number } & SessionOptions = {}): Promise<Session> {
    requireMasterPasswordPolicy(password);
    const session = new Session(await Vault.create(path, password, opts), opts);
    await session.vault.write(
      (tx) => {
        session.vault.sealHeader(tx);
        rebuildKmsDue(tx);
      },
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'vault init', key_id: null, outcome: 'success', fields: {} }),
    );
    session.audit.anchorNow();
    session.startDueTimer(opts.dueWorkIntervalMs);
    return session;
  }

  /**
   * Opens and unlocks a vault; the audit log's cheap integrity checks run before any use, then
   * the work that came due while it was closed (secret rotations …), and a timer for the rest.
   */
  static async open(path: string, credentials: Credentials | ((vaultId: string) => Promise<Credentials>), opts: SessionOptions = {}): Promise<Session> {
    const vault = Vault.open(path);
    try {
      removeDeadTemps(path);
      const unlock = typeof credentials === 'function' ? await credentials(vault.header.vault_id) : credentials;
      if ('password' in unlock) await vault.unlock(unlock.password);
      else vault.unlockWithDeviceSecret(unlock.deviceSecret);
      const session = new Session(vault, opts);
      const lost = await session.audit.checkOnUnlock();
      if (lost) await session.audit.recordLoss(lost);
      if (vault.needsHeaderSeal) await session.sealHeader();
      await session.runDue();
      session.startDueTimer(opts.dueWorkIntervalMs);
      return session;
    } catch (e) {
      vault.close();
      throw e;
    }
  }

  /** Migrates a vault from before the header MAC: its first write gives the header one. */
  private async sealHeader(): Promise<void> {
    await this.vault.write(
      (tx) => this.vault.sealHeader(tx),
      (tx) => this.audit.append(tx, { transport: 'system', operation: 'vault seal header', key_id: null, outcome: 'success', fields: {} }),
    );
    await this.audit.anchor();
  }

  /** Runs due work periodically while the session is open; failures are retried next tick. */
  private startDueTimer(intervalMs = 60_000): void {
    // A failure that escapes runDue (the anchor could not be written) is retried next tick.
    this.dueTimer = setInterval(() => void this.runDue().catch(() => undefined), intervalMs);
    // The timer must not keep a CLI process alive; the desktop app and server stay up anyway.
    this.dueTimer.unref();
  }

  close(): void {
    clearInterval(this.dueTimer);
    this.handles.clear();
    try {
      this.keyStores.closeAll();
      if (this.vault.db.open && this.vault.unlocked) this.audit.close();
    } finally {
      this.vault.close();
    }
  }

  private context(store: RecordStore, opts: { caller?: Caller | null; operation?: string; background?: CallBackground; hooks?: CallHooks } = {}): CallContext {
    const { caller = null, operation, background = new CallBackground(this.vault, this.audit), hooks = {} } = opts;
    // Every write keeps KMS's due index in step with the keys and tokens it writes.
    if (store instanceof WriteTx) store = new DueIndexedStore(store);
    return {
      store,
      hsm: this.hsm,
      handles: this.handles,
      keyStores: this.keyStores,
      domain: this.domain,
      now: this.now,
      vault: this.vault,
      audit: this.audit,
      caller,
      operation,
      background,
      hooks,
    };
  }

  /** The read-only store for `operation` (see readOnlyStore): operations, lookups and due work alike. */
  private readStore(operation: string): RecordStore {
    let store = this.readStores.get(operation);
    if (!store) {
      store = readOnlyStore(this.vault, operation);
      this.readStores.set(operation, store);
    }
    return store;
  }

  private startBackground(started: (() => Promise<void>)[]): void {
    for (const work of started) {
      // A task records its own failure; anything escaping that must not crash the process.
      const p = work().catch(() => undefined);
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }
  }

  /** Resolves once all background work has finished; transports await it before `close()`. */
  async settle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** An active access key's secret and role, for the HTTP transport's signature check. */
  accessKey(access: string): { secret: string; role: 'owner' | 'grantee' } | null {
    return activeAccessKey(this.readStore('verify access key'), access);
  }

  /** Runs a system change (not a user's request) as its own audited transaction. */
  private async systemWrite(operation: string, fn: (ctx: CallContext) => Promise<unknown>, keyId: string | null = null): Promise<void> {
    await this.vault.write(
      (tx) => fn(this.context(tx)),
      (tx, _r) => this.audit.append(tx, { transport: 'system', operation, key_id: keyId, outcome: 'success', fields: {} }),
    );
    await this.audit.anchor();
  }

  /**
   * Runs the work that fell due (services' `dueTasks`, shared/operations/service.ts): KMS key
   * deletions, expiries and rotations, then secret rotations, expiries and deletions, each task
   * its own audited system transaction. A task that throws — a damaged record, a bug — is
   * rolled back, audited with its code (KEYHOLD.0500 when it is no KeyholdError) and retried
   * next time: it blocks neither opening the vault, nor the next task, nor another service's
   * work. A due record that does not open is audited once a session and skipped. Only a commit
   * whose anchor cannot be written stops the run: every later write would be refused anyway.
   */
  async runDue(): Promise<void> {
    if (this.dueRunning || !this.vault.unlocked) return;
    this.dueRunning = true;
    try {
      for (const { service, dueTasks } of DUE_PRODUCERS) {
        let plan: DuePlan<CallContext>;
        try {
          plan = dueTasks(this.context(this.readStore(`${service} due work`)));
        } catch (e) {
          await this.dueFailed({ operation: `${service} due work`, key_id: null, fields: {} }, e);
          continue;
        }
        await this.reportDamage(service, plan.damaged);
        for (const task of plan.tasks) await this.runDueTask(task);
      }
    } finally {
      this.dueRunning = false;
    }
  }

  private async runDueTask(task: DueTask<CallContext>): Promise<void> {
    const entry = (outcome: string): AuditInput => ({ transport: 'system', operation: task.operation, key_id: task.key_id, outcome, fields: task.fields });
    try {
      await this.vault.write(
        async (tx) => (await task.run(this.context(tx))) ?? 'success',
        (tx, outcome) => this.audit.append(tx, entry(outcome)),
      );
      await this.audit.anchor();
    } catch (e) {
      await this.dueFailed(task, e);
    }
  }

  /** Audits a due task that failed, under its code; rethrows only an anchor that cannot be written. */
  private async dueFailed(task: Pick<DueTask<unknown>, 'operation' | 'key_id' | 'fields'>, e: unknown): Promise<void> {
    // A task that committed but could not be anchored did not fail: it must not be audited so.
    if (e instanceof KeyholdError && e.code === LocalErrors.AuditAnchorWriteFailed) throw e;
    const code = e instanceof KeyholdError ? e.code : LocalErrors.Internal;
    if (!(e instanceof KeyholdError) && process.env.KEYHOLD_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
    await this.audit.record({ transport: 'system', operation: task.operation, key_id: task.key_id, outcome: code, fields: task.fields }).catch(() => undefined);
  }

  private async reportDamage(service: string, damaged: DueDamage[]): Promise<void> {
    for (const d of damaged) {
      const name = `${d.table}/${d.id}`;
      if (this.reportedDamage.has(name)) continue;
      this.reportedDamage.add(name);
      await this.audit
        .record({ transport: 'system', operation: `${service} maintenance`, key_id: d.id, outcome: d.code, fields: { record: name } })
        .catch(() => undefined);
    }
  }

  private async ensureDefault(svc: DefaultKeyService): Promise<void> {
    if (!findDefaultKey(this.context(this.readStore('ensure default key')), svc)) {
      await this.systemWrite(`kms create-default-key ${svc}/default`, (ctx) => ensureDefaultKey(ctx, svc));
    }
    this.ensured.add(svc);
  }

  /** Records an event that is not an operation (a restore, a device remembered) in the audit log. */
  async noteSystemEvent(operation: string, change: () => void = () => undefined): Promise<void> {
    await this.systemWrite(operation, async () => change());
  }

  /** Lets this device unlock the vault without the password; the secret goes to `keychain`. */
  async rememberDevice(keychain: Keychain): Promise<void> {
    await this.noteSystemEvent('vault remember-device', () => keychain.set(this.vault.header.vault_id, this.vault.rememberDevice().toString('base64')));
  }

  async forgetDevice(keychain: Keychain): Promise<void> {
    await this.noteSystemEvent('vault forget-device', () => {
      this.vault.forgetDevice();
      keychain.delete(this.vault.header.vault_id);
    });
  }

  /**
   * Runs operation `key` (its declaration key, as the renderer's client names it), typed by its
   * declaration: the input as a caller writes it, the output its declaration promises.
   */
  async invoke<K extends OperationKey>(
    key: K,
    input: OperationInput<K>,
    transport: Transport,
    caller: Caller | null = null,
    hooks: CallHooks = {},
  ): Promise<OperationOutput<K>> {
    const op = operationByKey(key);
    if (!op) throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown operation: ${String(key)}.`, 400);
    return (await this.run(op, input, transport, caller, hooks)) as OperationOutput<K>;
  }

  /** Looks an operation up by service and name (or alias) and runs it. */
  async call(service: string, name: string, rawInput: unknown, transport: Transport, caller: Caller | null = null, hooks: CallHooks = {}): Promise<unknown> {
    const op = findOperation(service, name);
    if (!op) throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown operation: ${service} ${name}.`, 400);
    return this.run(op, rawInput, transport, caller, hooks);
  }

  /**
   * Runs a cloud operation on a configured remote: validated here with the same schema, sent
   * with only the fields the caller gave, audited locally, the remote's body returned as is.
   */
  async callRemote(remoteName: string, service: string, name: string, rawInput: Record<string, unknown>, transport: Transport): Promise<unknown> {
    const op = findOperation(service, name);
    if (!op) throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown operation: ${service} ${name}.`, 400);
    const input = parseInput(op.decl, rawInput) as Record<string, unknown>;
    const route = admitRemote(op.decl, rawInput);
    this.audit.ensureAnchored();
    const remote = getRemote(this.readStore('remote lookup'), remoteName);
    const shape = op.decl.input.shape as Record<string, unknown>;
    const given = Object.fromEntries(Object.entries(rawInput).filter(([k]) => k in shape));
    const entry = (outcome: string): AuditInput => auditEntry(op.decl, input, `${transport}>remote:${remoteName}`, outcome);
    try {
      const result = await invokeRemote(op.decl, route, given, remote);
      await this.audit.record(entry('success'));
      return result;
    } catch (e) {
      if (e instanceof KeyholdError) await this.audit.record(entry(e.code)).catch(() => undefined);
      throw e;
    }
  }

  async run(op: RegisteredOperation, rawInput: unknown, transport: Transport, caller: Caller | null = null, hooks: CallHooks = {}): Promise<unknown> {
    const { decl, handler, phases } = op;
    const input = parseInput(decl, rawInput) as Record<string, unknown>;
    // Every transport's calls pass the one admission rule, whatever the transport checked itself.
    admit(decl, rawInput, transport, hooks.serverNamedFiles === true);
    // Fail closed: nothing runs while the anchor cannot follow the log.
    this.audit.ensureAnchored();
    if (caller?.role === 'grantee' && !op.granteeMay) throw roleRefused(decl, caller);
    // Key tools on files the user names touch no vault, not even its audit log (api/offline.ts).
    if (isOffline(op, input)) return runValidatedOffline(op, input, hooks);
    const svc = op.defaultKey;
    if (svc && !this.ensured.has(svc)) await this.ensureDefault(svc);
    const who = caller ? `${transport}:${caller.access_key}` : transport;
    const background = new CallBackground(this.vault, this.audit);
    const opts = { caller, operation: decl.name, background, hooks };
    const claim = decl.exclusive?.(input as never);
    let release: (() => void) | undefined;
    try {
      if (claim) release = claimExclusive(this.vault.path, claim.key, claim.what);
      if (decl.mutates) {
        // A network-first handler does its I/O before the transaction, so other writers do not
        // wait for a remote; its commit phase re-checks what it read (shared/operations/phases.ts).
        const gathered = phases ? await phases.network(this.context(this.readStore(decl.name), opts), input) : undefined;
        const result = await this.vault.write(
          (tx: WriteTx) => (phases ? phases.commit(this.context(tx, opts), input, gathered) : handler(this.context(tx, opts), input)),
          (tx, r) => this.audit.append(tx, auditEntry(decl, input, who, 'success', r)),
        );
        // The change is committed; its caller hears of it only once the anchor names it.
        await this.audit.anchor();
        this.startBackground(background.started);
        return result;
      }
      const result = await handler(this.context(this.readStore(decl.name), opts), input);
      await this.audit.record(auditEntry(decl, input, who, 'success', result));
      this.startBackground(background.started);
      return result;
    } catch (e) {
      if (e instanceof KeyholdError && e.code !== LocalErrors.AuditWriteFailed && e.code !== LocalErrors.AuditAnchorWriteFailed) {
        // Failed attempts are audited too, in their own transaction; a failure to do so must
        // not hide the original error.
        await this.audit.record(auditEntry(decl, input, who, e.code)).catch(() => undefined);
      }
      throw e;
    } finally {
      release?.();
    }
  }
}

/**
 * A call's audit entry: the key it acted on (from the input, else the result), its outcome and
 * only the input fields its declaration allows to be recorded.
 */
function auditEntry(decl: OperationDecl, input: Record<string, unknown>, transport: string, outcome: string, result?: unknown): AuditInput {
  const fields: Record<string, unknown> = {};
  for (const f of decl.audit.record ?? []) if (input[f] !== undefined) fields[f] = input[f];
  return { transport, operation: `${decl.service} ${decl.name}`, key_id: auditKeyId(decl.audit.keyIdField, input, result), outcome, fields };
}

function auditKeyId(field: string | undefined, input: Record<string, unknown>, result: unknown): string | null {
  const fromInput = field ? input[field] : undefined;
  if (typeof fromInput === 'string') return fromInput;
  const r = result as { key_id?: unknown; key_info?: { key_id?: unknown } } | undefined;
  const fromResult = r?.key_id ?? r?.key_info?.key_id;
  return typeof fromResult === 'string' ? fromResult : null;
}
