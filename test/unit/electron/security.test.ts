// Pins every security setting of the Electron shell (DESIGN §7, §9). Electron itself cannot run
// here, so 'electron' is mocked: the test holds the settings, not Chromium's enforcement of them.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  app: { enableSandbox: vi.fn(), on: vi.fn() },
  protocol: { registerSchemesAsPrivileged: vi.fn() },
}));
vi.mock('electron', () => electron);

const { ALLOWED_PERMISSIONS, APP_URL, hardenApp, hardenContents, hardenSession, isTrustedSender, registerAppScheme, webPreferences } =
  await import('../../../electron/security.js');
const { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } = await import('../../../shared/ui/security-headers.js');

type Listener = (...args: unknown[]) => unknown;

function fakeContents() {
  const on = new Map<string, Listener>();
  let openHandler: Listener | undefined;
  return {
    on: (name: string, fn: Listener) => on.set(name, fn),
    setWindowOpenHandler: (fn: Listener) => (openHandler = fn),
    emit(name: string) {
      const event = { preventDefault: vi.fn() };
      on.get(name)?.(event, 'https://evil.example/');
      return event;
    },
    open: () => openHandler?.({ url: 'https://evil.example/' }),
  };
}

describe('Electron security settings', () => {
  beforeEach(() => vi.clearAllMocks());

  it('gives the window a sandboxed, context-isolated renderer without Node', () => {
    expect(webPreferences('/app/preload.cjs')).toEqual({
      preload: '/app/preload.cjs',
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
    });
  });

  it('serves the page under a strict CSP: own scripts and styles only, nothing inline or eval', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
      'base-uri': "'none'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|http:|https:/);
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
  });

  it('loads only app://keyhold/, a secure standard scheme', () => {
    expect(APP_URL).toBe('app://keyhold/index.html');
    registerAppScheme();
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
  });

  it('refuses navigation, redirects, webviews and new windows', () => {
    const contents = fakeContents();
    hardenContents(contents as never);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) expect(contents.emit(name).preventDefault).toHaveBeenCalledOnce();
    expect(contents.open()).toEqual({ action: 'deny' });
  });

  it('hardens every WebContents the app creates and forces the sandbox on', () => {
    hardenApp();
    expect(electron.app.enableSandbox).toHaveBeenCalledOnce();
    const [[event, listener]] = electron.app.on.mock.calls as [[string, Listener]];
    expect(event).toBe('web-contents-created');
    const contents = fakeContents();
    listener({}, contents);
    expect(contents.emit('will-navigate').preventDefault).toHaveBeenCalledOnce();
  });

  it('denies every permission request except writing to the clipboard, and every request for remote content', () => {
    let request: Listener = () => undefined;
    let check: Listener = () => undefined;
    let beforeRequest: Listener = () => undefined;
    const ses = {
      setPermissionRequestHandler: (fn: Listener) => (request = fn),
      setPermissionCheckHandler: (fn: Listener) => (check = fn),
      webRequest: { onBeforeRequest: (fn: Listener) => (beforeRequest = fn) },
    };
    hardenSession(ses as never);
    expect([...ALLOWED_PERMISSIONS]).toEqual(['clipboard-sanitized-write']);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen']) {
      const cb = vi.fn();
      request({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(check({}, permission)).toBe(false);
    }
    const cb = vi.fn();
    request({}, 'clipboard-sanitized-write', cb);
    expect(cb).toHaveBeenCalledWith(true);
    const answer = (url: string) => {
      const done = vi.fn();
      beforeRequest({ url }, done);
      return done.mock.calls[0]?.[0];
    };
    expect(answer('app://keyhold/assets/index.js')).toEqual({ cancel: false });
    expect(answer('https://example.com/x.js')).toEqual({ cancel: true });
    expect(answer('file:///etc/passwd')).toEqual({ cancel: true });
    expect(answer('app://other/index.html')).toEqual({ cancel: true });
    expect(answer('blob:app://keyhold/0b7c5d1e-7d0e-4b36-9a43-1f0d2b9f0c11')).toEqual({ cancel: false });
    expect(answer('blob:https://evil.example/0b7c5d1e')).toEqual({ cancel: true });
  });

  it('answers IPC only from the main frame of the app page', () => {
    const mainFrame = { url: 'app://keyhold/index.html' };
    const sender = { mainFrame };
    expect(isTrustedSender({ sender, senderFrame: mainFrame } as never)).toBe(true);
    expect(isTrustedSender({ sender, senderFrame: { url: 'app://keyhold/index.html' } } as never)).toBe(false);
    const remote = { url: 'https://evil.example/' };
    expect(isTrustedSender({ sender: { mainFrame: remote }, senderFrame: remote } as never)).toBe(false);
    const file = { url: 'file:///tmp/index.html' };
    expect(isTrustedSender({ sender: { mainFrame: file }, senderFrame: file } as never)).toBe(false);
    expect(isTrustedSender({ sender, senderFrame: null } as never)).toBe(false);
  });
});
