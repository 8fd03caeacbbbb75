/**
 * How an implementation says "talk to the network first, then write". A mutating operation
 * runs in one write transaction, which holds the vault's write lock: every other writer (in this
 * process, and in others through SQLite's lock) waits until it commits. A handler that awaited a
 * remote KMS or an SSH server there would make them all wait for the remote — up to its retry
 * budget on a dead one. Such a handler is split in two phases, and the session runs them apart:
 *
 * - `network` runs first, outside any transaction, with a store that refuses writes: it reads
 *   what it needs, does all of its I/O, and returns what it gathered;
 * - `commit` runs in the operation's one write transaction, with its audit entry, and does no
 *   network I/O. Other writers may have committed in between, so it re-reads every record it
 *   depends on and either applies its writes on top of what it finds, or throws — `commitConflict`
 *   when a change cannot be reconciled — and then nothing is applied, as for any failed handler.
 */
import { KeyholdError, LocalErrors } from '../errors.js';

export interface NetworkFirst<C, I, O, G> {
  network(ctx: C, input: I): Promise<G>;
  commit(ctx: C, input: I, gathered: G): Promise<O> | O;
}

const PHASES = Symbol('keyhold.network-first');

export type NetworkFirstHandler<C, I, O, G> = ((ctx: C, input: I) => Promise<O>) & { readonly [PHASES]: NetworkFirst<C, I, O, G> };

/**
 * Marks a handler as network-first. It stays an ordinary handler for the `Handlers` map and for
 * code that calls it directly (both phases then run on the one context given); the session
 * finds the phases with `phasesOf` and runs them apart.
 */
export function networkFirst<C, I, O, G>(phases: NetworkFirst<C, I, O, G>): NetworkFirstHandler<C, I, O, G> {
  const both = async (ctx: C, input: I): Promise<O> => phases.commit(ctx, input, await phases.network(ctx, input));
  return Object.assign(both, { [PHASES]: phases });
}

/** The phases of a network-first handler; undefined for an ordinary one. */
export function phasesOf(handler: unknown): NetworkFirst<unknown, unknown, unknown, unknown> | undefined {
  return typeof handler === 'function' && PHASES in handler ? (handler as NetworkFirstHandler<unknown, unknown, unknown, unknown>)[PHASES] : undefined;
}

/**
 * The commit phase found a record changed since the network phase read it, in a way it cannot
 * apply its writes over: nothing is applied, and running the operation again is safe.
 */
export function commitConflict(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.WriteConflict, message, 409);
}
