/**
 * Every security setting of the Electron shell, in one place and pinned by
 * test/unit/electron/security.test.ts: a sandboxed, context-isolated renderer without Node;
 * only the app's own files (app://keyhold/) under a strict CSP; navigation, new windows,
 * webviews and permission requests refused; IPC answered only for the app's own main frame.
 */
import { app, protocol, type IpcMainInvokeEvent, type Session, type WebContents, type WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyhold';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The only permission the page gets: writing a copied secret to the clipboard. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** Must run before `app` is ready: app:// behaves like https (secure, standard origin). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** A blob: URL created by the app page itself (blob:app://keyhold/<uuid>). */
export function isAppBlob(url: string): boolean {
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
  // Local content only: any request that is not for the app's own files (or a blob the page
  // made, for "Save as") is cancelled. devtools: is Chromium's own and never reaches the page.
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !(isAppUrl(details.url) || isAppBlob(details.url) || details.url.startsWith('devtools:')) });
  });
}

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Applies hardenContents to every WebContents the app ever creates, including ones it did not ask for. */
export function hardenApp(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}

/** IPC is answered only for the main frame of a page served from app://keyhold/. */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}
