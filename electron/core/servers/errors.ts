/** The server inventory's error catalogue (Keyhold's own codes; docs/binding.md). */
export const ServersErrors = {
  NotFound: 'SERVERS.0004',
  NameTaken: 'SERVERS.0005',
  HostKeyUnreadable: 'SERVERS.0006',
  /** The host key changed since it was pinned; check it, then pin with --accept-new (409). */
  HostKeyChanged: 'SERVERS.0007',
  /** The server presents another key than the one the user checked before pinning (409); nothing pinned. */
  HostKeyNotChecked: 'SERVERS.0008',
} as const;
