/** Shared by the secrets tests: a fresh session and a typed-enough caller for csms operations. */
import { KeyholdError } from '../../../shared/errors.js';
import type { Session } from '../../../electron/core/api/index.js';

export type Call = (op: string, input?: Record<string, unknown>) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are checked field by field

export function caller(session: Session, service = 'csms'): Call {
  return (op, input = {}) => session.call(service, op, input, 'cli');
}

/** The error code a call fails with (fails the test if it succeeds). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KeyholdError) return e.code;
    throw e;
  }
  throw new Error('expected the call to fail');
}
