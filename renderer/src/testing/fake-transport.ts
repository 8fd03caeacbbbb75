/**
 * A scripted Transport for the manager tests: each op answers from a handler the test gives,
 * and every call is recorded. It stands in for the backend, never for the code under test.
 * Handlers are typed from the UI contract: a handler for an operation that does not exist, an
 * input read under a wrong name, or an answer field of the wrong type fails the typecheck. An
 * answer may leave fields out (a fixture gives what the code under test reads, nothing more).
 */
import type { UiEvent, UiInput, UiOpName, UiOutput, UiResult, UiTransport } from '../../../shared/ui/contract.js';
import { Client, type Transport } from '../lib/api.js';

export class Fail {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

/** An answer with any field left out, at any depth; the fields given keep their contract types. */
type Partly<T> = T extends readonly (infer E)[] ? readonly Partly<E>[] : T extends object ? { [P in keyof T]?: Partly<T[P]> } : T;

/** One operation's scripted answer: its output, or a Fail that becomes the client's UiError. */
type Handler<K extends UiOpName> = (input: UiInput<K>) => Partly<UiOutput<K>> | Fail;
type Handlers = { [K in UiOpName]?: Handler<K> };

interface RecordedCall {
  op: UiOpName;
  input: unknown;
}

export function scripted(handlers: Handlers, kind: UiTransport = 'ipc'): { client: Client; calls: RecordedCall[]; push(e: UiEvent): void } {
  const calls: RecordedCall[] = [];
  let listener: (e: UiEvent) => void = () => undefined;
  const transport: Transport = {
    kind,
    async send(op, input): Promise<UiResult> {
      calls.push({ op: op as UiOpName, input });
      const h = handlers[op as UiOpName] as ((i: unknown) => unknown) | undefined;
      if (!h) return { ok: false, error: { code: 'CLI.0001', message: `Unknown operation: ${op}.` } };
      const value = h(input ?? {});
      return value instanceof Fail ? { ok: false, error: { code: value.code, message: value.message } } : { ok: true, value };
    },
    subscribe(l) {
      listener = l;
      return () => undefined;
    },
  };
  return { client: new Client(transport), calls, push: (e) => listener(e) };
}
