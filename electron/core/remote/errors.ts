/** The remote service's error catalogue (Keyhold's own codes; docs/sync.md). */
export const RemoteErrors = {
  /** The remote could not be reached, or its answer was cut off. */
  Unreachable: 'REMOTE.0001',
  /** A request field is missing or invalid (including what a remote cannot do, such as a KMS push). */
  Invalid: 'REMOTE.0002',
  /** The remote answered, but not with what the call needs (not JSON, a field missing, a state not reached). */
  BadAnswer: 'REMOTE.0003',
  NotFound: 'REMOTE.0004',
  AlreadyExists: 'REMOTE.0005',
  /** A write whose outcome on the remote is unknown (never resent; read its state first). */
  OutcomeUnknown: 'REMOTE.0006',
  /** The remote holds no such value (a server without an encrypted Windows password). */
  NoValueOnRemote: 'REMOTE.0007',
} as const;
