/**
 * A stand-in for the `electron` module, enough for the shell (electron/main.ts) to start: it
 * records the order of set-up calls, the windows made, the IPC handlers and powerMonitor
 * listeners, and answers dialogs from scripted queues. Each test file builds its own in
 * `vi.hoisted` and mocks `electron` with it.
 */
export type Listener = (...args: unknown[]) => unknown;

export function fakeElectron() {
  const order: string[] = [];
  const windows: { options: Record<string, unknown>; url?: string; sent: unknown[][] }[] = [];
  const handlers = new Map<string, Listener>();
  const power = new Map<string, Listener>();
  class BrowserWindow {
    record: { options: Record<string, unknown>; url?: string; sent: unknown[][] };
    webContents: { send: (...a: unknown[]) => void };
    constructor(options: Record<string, unknown>) {
      this.record = { options, sent: [] };
      windows.push(this.record);
      this.webContents = { send: (...a) => this.record.sent.push(a) };
    }
    static getFocusedWindow = () => null;
    static getAllWindows = () => windows.map((w) => ({ webContents: { send: (...a: unknown[]) => w.sent.push(a) }, focus: () => undefined }));
    once() {}
    loadURL(url: string) {
      this.record.url = url;
      return Promise.resolve();
    }
  }
  return {
    order,
    windows,
    handlers,
    power,
    electron: {
      app: {
        requestSingleInstanceLock: () => true,
        whenReady: () => (order.push('ready'), Promise.resolve()),
        enableSandbox: () => order.push('enableSandbox'),
        on: () => undefined,
        quit: () => undefined,
      },
      BrowserWindow,
      Menu: { setApplicationMenu: () => undefined },
      dialog: {
        next: [] as string[],
        /** Scripted answers of the confirmation (button index); none: the box stays open until aborted. */
        answers: [] as number[],
        asked: [] as { message: string; detail: string; buttons: string[] }[],
        showMessageBox(...args: unknown[]) {
          const opts = args.at(-1) as { message: string; detail: string; buttons: string[]; signal?: AbortSignal; cancelId: number };
          this.asked.push({ message: opts.message, detail: opts.detail, buttons: opts.buttons });
          const answer = this.answers.shift();
          if (answer !== undefined) return Promise.resolve({ response: answer, checkboxChecked: false });
          return new Promise((resolve) => opts.signal?.addEventListener('abort', () => resolve({ response: opts.cancelId, checkboxChecked: false })));
        },
        async showOpenDialog() {
          const p = this.next.shift();
          return { canceled: p === undefined, filePaths: p ? [p] : [] };
        },
        async showSaveDialog() {
          const p = this.next.shift();
          return { canceled: p === undefined, filePath: p };
        },
      },
      clipboard: {
        text: '',
        async writeText(t: string) {
          this.text = t;
        },
        async readText() {
          return this.text;
        },
        clear() {
          this.text = '';
        },
      },
      ipcMain: { handle: (ch: string, fn: Listener) => handlers.set(ch, fn) },
      powerMonitor: { on: (ev: string, fn: Listener) => power.set(ev, fn) },
      protocol: {
        registerSchemesAsPrivileged: () => order.push('registerScheme'),
        handle: (scheme: string) => order.push(`handle:${scheme}`),
      },
      safeStorage: {
        isEncryptionAvailable: () => true,
        getSelectedStorageBackend: () => 'basic_text',
        encryptString: () => Buffer.alloc(0),
        decryptString: () => '',
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: () => order.push('permissions'),
          setPermissionCheckHandler: () => undefined,
          webRequest: { onBeforeRequest: () => undefined },
        },
      },
    },
  };
}
