/**
 * The renderer's one typed client. Every screen talks to Keyhold through `call(op, input)`,
 * typed from the shared contract, whichever transport is underneath: the preload's IPC door in
 * the desktop app, or HTTP to `keyhold serve --ui` in a browser.
 */
import {
  UI_CALL_PATH,
  UI_HEADER,
  type UiEvent,
  type UiInput,
  type UiOpName,
  type UiOutput,
  type UiResult,
  type UiTransport,
} from '../../../shared/ui/contract.js';

export class UiError extends Error {
  override readonly name = 'UiError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Codes the renderer itself raises (transport failures), beside the core's own. */
export const NETWORK_ERROR = 'UI.0001';
export const LOCKED_ERRORS: ReadonlySet<string> = new Set(['VAULT.0107', 'UI.0401']);

export interface Transport {
  readonly kind: UiTransport;
  send(op: string, input: unknown): Promise<UiResult>;
  subscribe(listener: (event: UiEvent) => void): () => void;
}

/** What the preload exposes as window.keyhold. */
export interface PreloadBridge {
  call(op: string, input: unknown): Promise<UiResult>;
  onEvent(listener: (event: UiEvent) => void): () => void;
}

export function ipcTransport(bridge: PreloadBridge): Transport {
  return { kind: 'ipc', send: (op, input) => bridge.call(op, input), subscribe: (l) => bridge.onEvent(l) };
}

export function httpTransport(fetchFn: typeof fetch): Transport {
  return {
    kind: 'http',
    async send(op, input) {
      let res: Response;
      try {
        res = await fetchFn(UI_CALL_PATH, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', [UI_HEADER]: '1' },
          body: JSON.stringify({ op, input }),
        });
      } catch {
        return { ok: false, error: { code: NETWORK_ERROR, message: 'Keyhold is not reachable.' } };
      }
      const body = (await res.json().catch(() => null)) as {
        error_code?: string;
        error_msg?: string;
        error?: { error_code?: string; error_msg?: string };
      } | null;
      if (res.ok) return { ok: true, value: body };
      const err = body?.error ?? body;
      return { ok: false, error: { code: err?.error_code ?? `HTTP.${res.status}`, message: err?.error_msg ?? res.statusText } };
    },
    // The server does not push; the client notices a lock from the next call's answer.
    subscribe: () => () => undefined,
  };
}

export class Client {
  private readonly listeners = new Set<(event: UiEvent) => void>();

  constructor(private readonly transport: Transport) {
    transport.subscribe((e) => this.emit(e));
  }

  get kind(): UiTransport {
    return this.transport.kind;
  }

  async call<K extends UiOpName>(op: K, input: UiInput<K>): Promise<UiOutput<K>> {
    const result = await this.transport.send(op, input);
    if (result.ok) return result.value as UiOutput<K>;
    if (LOCKED_ERRORS.has(result.error.code)) this.emit({ type: 'locked', reason: 'user' });
    throw new UiError(result.error.code, result.error.message);
  }

  onEvent(listener: (event: UiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: UiEvent): void {
    for (const l of this.listeners) l(event);
  }
}

export function createClient(win: Window & { keyhold?: PreloadBridge }): Client {
  return new Client(win.keyhold ? ipcTransport(win.keyhold) : httpTransport(win.fetch.bind(win)));
}
