/**
 * A scripted Transport for the manager tests: each op answers from a handler the test gives,
 * and every call is recorded. It stands in for the backend, never for the code under test.
 */
import type { UiEvent, UiResult, UiTransport } from '../../../shared/ui/contract.js';
import { Client, type Transport } from '../lib/api.js';

export type Handler = (input: Record<string, unknown>) => unknown;

export class Fail {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export function scripted(handlers: Record<string, Handler>, kind: UiTransport = 'ipc'): { client: Client; calls: { op: string; input: unknown }[]; push(e: UiEvent): void } {
  const calls: { op: string; input: unknown }[] = [];
  let listener: (e: UiEvent) => void = () => undefined;
  const transport: Transport = {
    kind,
    async send(op, input): Promise<UiResult> {
      calls.push({ op, input });
      const h = handlers[op];
      if (!h) return { ok: false, error: { code: 'CLI.0001', message: `Unknown operation: ${op}.` } };
      const value = h((input ?? {}) as Record<string, unknown>);
      return value instanceof Fail ? { ok: false, error: { code: value.code, message: value.message } } : { ok: true, value };
    },
    subscribe(l) {
      listener = l;
      return () => undefined;
    },
  };
  return { client: new Client(transport), calls, push: (e) => listener(e) };
}
