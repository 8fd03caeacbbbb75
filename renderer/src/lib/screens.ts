/**
 * The screens, in navigation order. A screen whose feature has not landed says which issue it
 * waits for and what it will do, rather than showing anything made up.
 */
export type ScreenId = 'keys' | 'secrets' | 'keypairs' | 'windows' | 'servers' | 'files' | 'remotes' | 'audit' | 'settings';

export interface Screen {
  id: ScreenId;
  label: string;
  waitsFor?: { issues: number[]; what: string[] };
}

export const SCREENS: readonly Screen[] = [
  { id: 'keys', label: 'Keys' },
  { id: 'secrets', label: 'Secrets' },
  { id: 'keypairs', label: 'Key pairs' },
  { id: 'windows', label: 'Windows password' },
  { id: 'servers', label: 'Servers' },
  {
    id: 'files',
    label: 'Files',
    waitsFor: { issues: [9], what: ['Encrypt and decrypt files of any size with a progress bar', 'Sign and verify files'] },
  },
  { id: 'remotes', label: 'Remotes & sync' },
  { id: 'audit', label: 'Audit log' },
  { id: 'settings', label: 'Settings' },
];
