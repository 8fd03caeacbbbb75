/**
 * Every manager the app builds, in one registry, so locking wipes them all: App.svelte iterates
 * this object instead of naming managers by hand. The session is not here: it is what locks.
 * A new manager goes here (one line); managers.registry.test.ts fails for a `*Manager` class in
 * lib/ that is missing, and the `Lockable` constraint fails the typecheck for one without onLock().
 */
import { AccessKeysManager } from './access-keys.svelte.js';
import type { Client } from './api.js';
import { AuditManager } from './audit.svelte.js';
import { ByokManager } from './byok.svelte.js';
import { browserClipboard, ClipboardManager, desktopClipboard } from './clipboard.svelte.js';
import { FilesManager } from './files.svelte.js';
import { KeyDataManager } from './key-data.svelte.js';
import { KeyFilesManager } from './key-files.svelte.js';
import { KeyGrantsManager } from './key-grants.svelte.js';
import { KeyTagsManager } from './key-tags.svelte.js';
import { KeyPairsManager } from './keypairs.svelte.js';
import { KeysManager } from './keys.svelte.js';
import type { Lockable } from './lockable.js';
import { RemotesManager } from './remotes.svelte.js';
import { SecretEventsManager } from './secret-events.svelte.js';
import { SecretsManager } from './secrets.svelte.js';
import { ServersManager } from './servers.svelte.js';
import { SettingsManager } from './settings.svelte.js';
import { SigningManager } from './signing.svelte.js';
import { SmallDataManager } from './small-data.svelte.js';
import { WindowsPasswordManager } from './windows-password.svelte.js';

export function createManagers(client: Client, clipboard: ClipboardManager) {
  const keys = new KeysManager(client);
  const servers = new ServersManager(client);
  return {
    clipboard,
    keys,
    // Held by the Keys and Servers managers, registered here so locking wipes them too.
    keyStores: keys.stores,
    agentKeys: servers.agent,
    smallData: new SmallDataManager(client),
    keyTags: new KeyTagsManager(client),
    keyGrants: new KeyGrantsManager(client),
    keyData: new KeyDataManager(client),
    byok: new ByokManager(client),
    signing: new SigningManager(client),
    pairs: new KeyPairsManager(client),
    keyFiles: new KeyFilesManager(client),
    windowsPassword: new WindowsPasswordManager(client),
    remotes: new RemotesManager(client),
    servers,
    secrets: new SecretsManager(client),
    secretEvents: new SecretEventsManager(client),
    files: new FilesManager(client),
    audit: new AuditManager(client),
    settings: new SettingsManager(client),
    accessKeys: new AccessKeysManager(client),
  } satisfies Record<string, Lockable>;
}

export type Managers = ReturnType<typeof createManagers>;

/** The clipboard of the page's transport: the main process's in the desktop app, the browser's in web mode. */
export function clipboardOf(client: Client, nav: Navigator): ClipboardManager {
  return new ClipboardManager(client.kind === 'ipc' ? desktopClipboard(client) : browserClipboard(nav.clipboard));
}

/** The vault locked: every manager forgets what it read from it. */
export function lockAll(managers: Readonly<Record<string, Lockable>>): void {
  for (const m of Object.values(managers)) m.onLock();
}

/** The user moved to another screen: what must not outlive its screen goes. */
export function leaveAll(managers: Readonly<Record<string, Lockable>>): void {
  for (const m of Object.values(managers)) m.onLeave?.();
}
