/** The screens, in navigation order, and the address of each (`#/keys`, …): Back and reload keep the screen. */
export type ScreenId = 'keys' | 'secrets' | 'keypairs' | 'keyfiles' | 'windows' | 'servers' | 'files' | 'remotes' | 'audit' | 'settings';

export interface Screen {
  id: ScreenId;
  label: string;
}

export const SCREENS: readonly Screen[] = [
  { id: 'keys', label: 'Keys' },
  { id: 'secrets', label: 'Secrets' },
  { id: 'keypairs', label: 'Key pairs' },
  { id: 'keyfiles', label: 'Key file tools' },
  { id: 'windows', label: 'Windows password' },
  { id: 'servers', label: 'Servers' },
  { id: 'files', label: 'Files' },
  { id: 'remotes', label: 'Remotes & sync' },
  { id: 'audit', label: 'Audit log' },
  { id: 'settings', label: 'Settings' },
];

/** The screen an address names; an unknown or empty one is Keys. */
export function screenOfHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '');
  return SCREENS.find((s) => s.id === id)?.id ?? 'keys';
}

export function hashOf(id: ScreenId): string {
  return `#/${id}`;
}
