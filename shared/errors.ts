/**
 * One error type for every process. The code follows the cloud (reference/huawei-dew-api.md §3):
 * `KMS.0207`, `CSMS.0005`, `KPS.7004`; Keyhold's own conditions use the same SERVICE.NNNN shape
 * under the `VAULT`, `AUDIT`, `CLI` and `KEYHOLD` prefixes (table in docs/architecture.md).
 * Messages never carry secrets or stack traces.
 */

export interface WireErrorFlat {
  error_code: string;
  error_msg: string;
}
/** KMS nests its error object; every other service is flat (reference §3, trap 1). */
export type WireError = WireErrorFlat | { error: WireErrorFlat & { code: string; message: string } };

export class KeyholdError extends Error {
  override readonly name = 'KeyholdError';
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status the cloud would answer with; < 500 means the caller's fault. */
    readonly status: number = 400,
    /**
     * Which check fired, when one code covers several (`ciphertext.tag`, `wrap.disabled`):
     * internal, never on the wire, asserted by tests and vectors (`expect_reason`).
     */
    readonly reason?: string,
  ) {
    super(message);
  }

  get service(): string {
    return this.code.split('.')[0] ?? 'KEYHOLD';
  }

  get isClientError(): boolean {
    return this.status < 500;
  }

  toWire(): WireError {
    const flat = { error_code: this.code, error_msg: this.message };
    // KMS nests; Huawei's Node SDK looks one level down for `code`/`message`, so those ride along.
    return this.service === 'KMS' ? { error: { ...flat, code: this.code, message: this.message } } : flat;
  }
}

/** Codes Keyhold defines for conditions the cloud has no code for. */
export const LocalErrors = {
  /** Wrong master password (or remembered device secret no longer matches). */
  WrongPassword: 'VAULT.0101',
  VaultMissing: 'VAULT.0102',
  /** A stored parameter (KDF cost, header size) outside its bounds: refused before any work. */
  HeaderOutOfBounds: 'VAULT.0103',
  VaultExists: 'VAULT.0104',
  VaultFormat: 'VAULT.0105',
  PasswordRequired: 'VAULT.0106',
  VaultLocked: 'VAULT.0107',
  /** A new master password that breaks the policy (electron/core/api/password-policy.ts). */
  PasswordPolicy: 'VAULT.0108',
  /** A sealed record fails authentication: a flipped byte, a truncated body. */
  RecordCorrupt: 'VAULT.0501',
  /** A sealed record that authenticates but belongs elsewhere: rows swapped. */
  RecordMisplaced: 'VAULT.0502',
  /** A record older than the last one written: an earlier revision replayed. */
  RecordReplayed: 'VAULT.0503',
  /** A record the audit log says exists is gone. */
  RecordMissing: 'VAULT.0504',
  /** A record the audit log never wrote. */
  RecordInjected: 'VAULT.0505',
  /**
   * Two writers changed the same records at once: a network-first operation's commit phase found
   * a record changed since its network phase read it. Nothing was applied; it may be retried.
   */
  WriteConflict: 'VAULT.0506',
  /**
   * An operation that must not overlap with another like it (a push to the same remote) found one
   * running, in this process or another: refused, nothing done; run it again when that one ends.
   */
  Busy: 'VAULT.0507',
  /**
   * A vault header field (domain_id, project_id, created, the KDF, a wrapped root key …) was
   * changed outside Keyhold: the header MAC does not match, or was removed from a vault that had one.
   */
  HeaderForged: 'VAULT.0508',
  BackupInvalid: 'VAULT.0601',
  /** An audit entry whose MAC does not chain from its predecessor. */
  AuditChainBroken: 'AUDIT.0501',
  /** Audit rows newer than the anchored head were removed. */
  AuditTruncated: 'AUDIT.0502',
  /** The anchor file beside the vault is unreadable or from another vault. */
  AuditAnchorInvalid: 'AUDIT.0503',
  AuditWriteFailed: 'AUDIT.0504',
  /**
   * The anchor could not be moved to a committed entry (its path blocked, the disk full): the
   * operation committed, but its caller gets this error, and every later operation of the
   * session retries the anchor first and is refused while it still fails.
   */
  AuditAnchorWriteFailed: 'AUDIT.0505',
  UnknownOperation: 'CLI.0001',
  BadArgument: 'CLI.0002',
  Unsupported: 'KEYHOLD.0001',
  Internal: 'KEYHOLD.0500',
  /** A PKCS#11 module path refused before loading: not absolute, not a regular file, writable by others. */
  KeyStoreModuleRefused: 'KEYHOLD.0601',
  /** A PKCS#11 module that is not there or does not load as one. */
  KeyStoreModuleMissing: 'KEYHOLD.0602',
  /** No token with the key store's label (and serial number) in any slot of its module. */
  KeyStoreTokenMissing: 'KEYHOLD.0603',
  /** The token refused the key store's PIN (or the PIN is locked). */
  KeyStoreWrongPin: 'KEYHOLD.0604',
  /** The token went away while in use: removed, its session closed, a device error. */
  KeyStoreUnavailable: 'KEYHOLD.0605',
  /** A CMK's object is not in its token, or is no longer sensitive and non-extractable. */
  KeyStoreKeyMissing: 'KEYHOLD.0606',
  KeyStoreDisabled: 'KEYHOLD.0607',
  KeyStoreNotFound: 'KEYHOLD.0608',
  /** A key store that still holds CMKs cannot be deleted. */
  KeyStoreInUse: 'KEYHOLD.0609',
  KeyStoreAliasExists: 'KEYHOLD.0610',
} as const;
