/** The screens, in navigation order. */
export type ScreenId = 'keys' | 'secrets' | 'keypairs' | 'windows' | 'servers' | 'files' | 'remotes' | 'audit' | 'settings';

export interface Screen {
  id: ScreenId;
  label: string;
}

export const SCREENS: readonly Screen[] = [
  { id: 'keys', label: 'Keys' },
  { id: 'secrets', label: 'Secrets' },
  { id: 'keypairs', label: 'Key pairs' },
  { id: 'windows', label: 'Windows password' },
  { id: 'servers', label: 'Servers' },
  { id: 'files', label: 'Files' },
  { id: 'remotes', label: 'Remotes & sync' },
  { id: 'audit', label: 'Audit log' },
  { id: 'settings', label: 'Settings' },
];
