/** The CSMS error catalogue (reference §3.2): every code Keyhold's CSMS throws, by name. */
export const CsmsErrors = {
  Invalid: 'CSMS.0002',
  NotFound: 'CSMS.0005',
  /** Using a secret that is pending deletion (restore it first). */
  PendingDeletion: 'CSMS.0103',
  BuiltInStage: 'CSMS.0105',
  SecretNotFound: 'CSMS.0106',
  AlreadyPendingDeletion: 'CSMS.0107',
  NotPendingDeletion: 'CSMS.0108',
  StageLimit: 'CSMS.0203',
} as const;
