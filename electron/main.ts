/**
 * The Electron shell: one hardened window on app://keyhold/, the vault workspace behind IPC,
 * and locking when the OS locks or suspends. No business logic lives here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, powerMonitor, protocol, safeStorage, session } from 'electron';
import { IPC_EVENT, type UiEvent } from '../shared/ui/contract.js';
import { appProtocolHandler } from './app-protocol.js';
import { defaultVaultPath } from './core/api/index.js';
import { serveDesktopAgent } from './desktop-agent.js';
import { registerIpc } from './ipc.js';
import { rememberSupport, SafeStorageKeychain } from './safe-storage-keychain.js';
import { APP_SCHEME, APP_URL, hardenApp, hardenSession, registerAppScheme, webPreferences } from './security.js';
import type { ShellServices } from './ui/bridge.js';
import { PathTokens } from './ui/path-tokens.js';
import { Workspace } from './ui/workspace.js';

// Built layout: dist/electron/main.js, dist/electron/preload.cjs, dist/renderer/.
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preload = join(here, 'preload.cjs');

registerAppScheme();
hardenApp();

function broadcast(event: UiEvent): void {
  for (const win of BrowserWindow.getAllWindows()) win.webContents.send(IPC_EVENT, event);
}

/** The clipboard (cleared only while it still holds what Keyhold put there) and the OS file dialogs. */
function shellServices(): ShellServices {
  let copied: string | null = null;
  const parent = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  return {
    paths: new PathTokens(),
    dialogs: {
      async open(title) {
        const win = parent();
        const r = win
          ? await dialog.showOpenDialog(win, { title, properties: ['openFile'] })
          : await dialog.showOpenDialog({ title, properties: ['openFile'] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      async save(title, defaultName) {
        const win = parent();
        const r = win
          ? await dialog.showSaveDialog(win, { title, defaultPath: defaultName })
          : await dialog.showSaveDialog({ title, defaultPath: defaultName });
        return r.canceled ? null : (r.filePath ?? null);
      },
    },
    clipboard: {
      async write(text) {
        await clipboard.writeText(text);
        copied = text;
      },
      async clear() {
        const ours = copied !== null && (await clipboard.readText()) === copied;
        if (ours) clipboard.clear();
        copied = null;
        return ours;
      },
    },
  };
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Keyhold',
    webPreferences: webPreferences(preload),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));

  const vaultPath = process.env.KEYHOLD_VAULT ?? defaultVaultPath();
  const support = rememberSupport(safeStorage);
  const keychain = new SafeStorageKeychain(join(dirname(vaultPath), 'device-keychain.json'), safeStorage, support);
  const workspace = new Workspace(vaultPath, { transport: 'ipc', keychain, remember: support });
  const shell = shellServices();
  workspace.onEvent(broadcast);
  // A copied secret does not outlive the unlocked vault, whatever the window is doing.
  workspace.onEvent((e) => {
    if (e.type === 'locked') void shell.clipboard.clear();
  });
  registerIpc(ipcMain, workspace, shell);
  // The app is the agent while it runs (unless `keyhold agent` already serves this vault).
  const agent = serveDesktopAgent(workspace);
  app.on('will-quit', () => void agent.stop());

  powerMonitor.on('lock-screen', () => void workspace.lock('os-lock'));
  powerMonitor.on('suspend', () => void workspace.lock('suspend'));
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    void workspace.lock('closed').finally(() => {
      if (process.platform !== 'darwin') app.quit();
    });
  });
  createWindow();
}

void start();
