/**
 * What each sync (kms, kps, csms) gives `remote sync`: its two phases, which the session runs
 * apart (shared/operations/phases.ts), so no write transaction waits for the remote.
 */
import type { SyncChange } from '../../../../shared/operations/remote.js';
import type { SecretsContext } from '../../secrets/context.js';
import type { HttpDeps } from '../http-client.js';
import type { RemoteRecord } from '../endpoint.js';

export interface SyncOptions {
  direction: 'pull' | 'push';
  dryRun: boolean;
  http?: HttpDeps;
}

export interface RemoteSync<G> {
  /**
   * Every request to the remote, a push's writes there included, with a read-only view of the
   * vault; returns what the commit needs (what was read, or what the remote accepted).
   */
  network(ctx: SecretsContext, remote: RemoteRecord, opts: SyncOptions): Promise<G>;
  /**
   * In the write transaction, without the network: re-reads the local records the sync writes,
   * applies what is still safe on top of them, and reports every change.
   */
  commit(ctx: SecretsContext, remote: RemoteRecord, opts: SyncOptions, gathered: G): Promise<SyncChange[]> | SyncChange[];
}
