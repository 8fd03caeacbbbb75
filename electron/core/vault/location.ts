/** Where the vault lives by default: the folder Electron calls userData, so CLI and app share it. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultVaultPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Keyhold', 'vault.db');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Keyhold', 'vault.db');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Keyhold', 'vault.db');
}
