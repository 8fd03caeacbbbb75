/**
 * An unlocked vault with its HSM and audit log, and the one dispatcher all transports call:
 * validate → run the implementation → audit, where a mutating operation and its audit entry
 * commit in one transaction, and a read-only one returns only once its entry is durable.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { parseInput } from '../../../shared/operations/index.js';
import type { DefaultKeyService } from '../../../shared/constants.js';
import { AuditLog, type AuditInput } from '../audit/log.js';
import type { HsmBackend, KeyHandle, WrappedKey } from '../hsm/backend.js';
import { activeSecret } from '../iam/access-keys.js';
import { invokeRemote } from '../remote/invoke.js';
import { getRemote } from '../remote/remotes.js';
import { SoftwareHsm } from '../hsm/software.js';
import type { KmsContext } from '../kms/context.js';
import { ensureDefaultKey, findDefaultKey } from '../kms/keys.js';
import { dueMaintenance } from '../kms/maintenance.js';
import { readOnlyStore, type RecordStore } from '../vault/store.js';
import type { Keychain } from '../vault/keychain.js';
import { Vault, type WriteTx } from '../vault/vault.js';
import { findOperation, type RegisteredOperation } from './registry.js';

export type Transport = 'cli' | 'http' | 'ipc' | 'system';

export type Credentials = { password: string } | { deviceSecret: Buffer };

/** Who is calling over HTTP: the access key that signed the request. Absent for local callers. */
export interface Caller {
  access_key: string;
}

/** What a transport may hand a long operation (file encrypt/decrypt/sign): progress and cancellation. */
export interface CallHooks {
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

/** What an implementation receives: the KMS context plus the vault and audit for local ops. */
export interface CallContext extends KmsContext {
  vault: Vault;
  audit: AuditLog;
  caller: Caller | null;
  hooks: CallHooks;
}

/** Services whose operations may use their default key; it is created before their first call. */
const DEFAULT_KEY_OF_SERVICE: Partial<Record<string, DefaultKeyService>> = { kms: 'kms' };

export class Session {
  readonly audit: AuditLog;
  readonly hsm: HsmBackend;
  readonly handles = new Map<WrappedKey, KeyHandle>();
  private readonly ensured = new Set<DefaultKeyService>();

  private constructor(readonly vault: Vault) {
    this.audit = new AuditLog(vault);
    this.hsm = new SoftwareHsm(vault.subkey('hsm-wrap'));
  }

  /** Creates a vault and writes its first audit entry (and the anchor beside it). */
  static async create(path: string, password: string, opts: { kdfTargetMs?: number } = {}): Promise<Session> {
    const session = new Session(await Vault.create(path, password, opts));
    await session.vault.write(
      () => undefined,
      (tx) => session.audit.append(tx, { transport: 'system', operation: 'vault init', key_id: null, outcome: 'success', fields: {} }),
    );
    session.audit.anchorNow();
    return session;
  }

  /** Opens and unlocks a vault; the audit log's cheap integrity checks run before any use. */
  static async open(path: string, credentials: Credentials | ((vaultId: string) => Promise<Credentials>)): Promise<Session> {
    const vault = Vault.open(path);
    try {
      const unlock = typeof credentials === 'function' ? await credentials(vault.header.vault_id) : credentials;
      if ('password' in unlock) await vault.unlock(unlock.password);
      else vault.unlockWithDeviceSecret(unlock.deviceSecret);
      const session = new Session(vault);
      session.audit.checkOnUnlock();
      await session.runDueMaintenance();
      return session;
    } catch (e) {
      vault.close();
      throw e;
    }
  }

  get domain(): KmsContext['domain'] {
    const h = this.vault.header;
    return { domain_id: h.domain_id, project_id: h.project_id, realm: 'local' };
  }

  close(): void {
    this.handles.clear();
    if (this.vault.db.open && this.vault.unlocked) this.audit.close();
    this.vault.close();
  }

  private context(store: RecordStore, caller: Caller | null = null, hooks: CallHooks = {}): CallContext {
    return { store, hsm: this.hsm, handles: this.handles, domain: this.domain, now: Date.now, vault: this.vault, audit: this.audit, caller, hooks };
  }

  /** The secret of an active access key, for the HTTP transport's signature check. */
  accessKeySecret(access: string): string | null {
    return activeSecret(readOnlyStore(this.vault, 'verify access key'), access);
  }

  /** Runs a system change (not a user's request) as its own audited transaction. */
  private async systemWrite(operation: string, fn: (ctx: CallContext) => Promise<unknown>, keyId: string | null = null): Promise<void> {
    await this.vault.write(
      (tx) => fn(this.context(tx)),
      (tx, _r) => this.audit.append(tx, { transport: 'system', operation, key_id: keyId, outcome: 'success', fields: {} }),
    );
    this.audit.anchor();
  }

  /** KMS work that fell due while the vault was closed (deletions, material expiry, rotations). */
  private async runDueMaintenance(): Promise<void> {
    for (const step of dueMaintenance(this.context(readOnlyStore(this.vault, 'kms maintenance')))) {
      await this.systemWrite(step.operation, (ctx) => step.apply(ctx), step.key_id);
    }
  }

  private async ensureDefaults(service: string): Promise<void> {
    const svc = DEFAULT_KEY_OF_SERVICE[service];
    if (!svc || this.ensured.has(svc)) return;
    if (!findDefaultKey(this.context(readOnlyStore(this.vault, 'ensure default key')), svc)) {
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
    const remote = getRemote(readOnlyStore(this.vault, 'remote lookup'), remoteName);
    const shape = op.decl.input.shape as Record<string, unknown>;
    const given = Object.fromEntries(Object.entries(rawInput).filter(([k]) => k in shape));
    const entry = (outcome: string): AuditInput => ({
      transport: `${transport}>remote:${remoteName}`,
      operation: `${op.decl.service} ${op.decl.name}`,
      key_id: typeof input[op.decl.audit.keyIdField ?? ''] === 'string' ? (input[op.decl.audit.keyIdField ?? ''] as string) : null,
      outcome,
      fields: Object.fromEntries((op.decl.audit.record ?? []).filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
    });
    try {
      const result = await invokeRemote(op.decl, given, remote);
      await this.audit.record(entry('success'));
      return result;
    } catch (e) {
      if (e instanceof KeyholdError) await this.audit.record(entry(e.code)).catch(() => undefined);
      throw e;
    }
  }

  async run(op: RegisteredOperation, rawInput: unknown, transport: Transport, caller: Caller | null = null, hooks: CallHooks = {}): Promise<unknown> {
    const { decl, handler } = op;
    const input = parseInput(decl, rawInput) as Record<string, unknown>;
    await this.ensureDefaults(decl.service);
    const entry = (outcome: string, result?: unknown): AuditInput => ({
      transport: caller ? `${transport}:${caller.access_key}` : transport,
      operation: `${decl.service} ${decl.name}`,
      key_id: auditKeyId(decl.audit.keyIdField, input, result),
      outcome,
      fields: Object.fromEntries((decl.audit.record ?? []).filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
    });
    try {
      if (decl.mutates) {
        const result = await this.vault.write(
          (tx: WriteTx) => handler(this.context(tx, caller, hooks), input),
          (tx, r) => this.audit.append(tx, entry('success', r)),
        );
        this.audit.anchor();
        return result;
      }
      const result = await handler(this.context(readOnlyStore(this.vault, decl.name), caller, hooks), input);
      await this.audit.record(entry('success', result));
      return result;
    } catch (e) {
      if (e instanceof KeyholdError && e.code !== LocalErrors.AuditWriteFailed) {
        // Failed attempts are audited too, in their own transaction; a failure to do so must
        // not hide the original error.
        await this.audit.record(entry(e.code)).catch(() => undefined);
      }
      throw e;
    }
  }
}

function auditKeyId(field: string | undefined, input: Record<string, unknown>, result: unknown): string | null {
  const fromInput = field ? input[field] : undefined;
  if (typeof fromInput === 'string') return fromInput;
  const r = result as { key_id?: unknown; key_info?: { key_id?: unknown } } | undefined;
  const fromResult = r?.key_id ?? r?.key_info?.key_id;
  return typeof fromResult === 'string' ? fromResult : null;
}
