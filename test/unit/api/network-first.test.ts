import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listOperations, type RegisteredOperation, type Session } from '../../../electron/core/api/index.js';
import { commitConflict, defineOp, networkFirst, out, phasesOf } from '../../../shared/operations/index.js';
import type { RecordStore } from '../../../electron/core/vault/store.js';
import { newSession } from '../../helpers/vault.js';

type Ctx = { store: RecordStore };

/** A made-up mutating operation for the session's network-first path. */
function operation(phases: Parameters<typeof networkFirst<Ctx, { v: string }, { done: string }, string>>[0]): RegisteredOperation {
  const decl = defineOp({
    service: 'vault',
    name: 'test-network-first',
    summary: 'a network-first test operation',
    input: z.object({ v: z.string() }),
    output: out<{ done: string }>(),
    mutates: true,
    audit: { record: ['v'] },
    validation: { missing: 'CLI.0002', invalid: 'CLI.0002' },
  });
  const handler = networkFirst(phases);
  return { key: 'testNetworkFirst', decl, handler, phases: phasesOf(handler) };
}

describe('network-first operations (shared/operations/phases.ts)', () => {
  let session: Session;
  let dir: string;
  afterEach(() => {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the network phase gets a store that refuses writes and runs outside the write lock; the commit writes with its audit entry', async () => {
    ({ session, dir } = await newSession());
    let lockFree = false;
    const op = operation({
      async network(ctx) {
        expect(() => ctx.store.put('t', 'x', {})).toThrow(/declared read-only/);
        // Another writer gets the lock while this phase runs.
        await session.vault.write(
          () => undefined,
          (tx) => session.audit.append(tx, { transport: 'system', operation: 'meanwhile', key_id: null, outcome: 'success', fields: {} }),
        );
        lockFree = true;
        return 'gathered';
      },
      commit(ctx, input, gathered) {
        ctx.store.put('t', 'x', { v: input.v, gathered });
        return { done: gathered };
      },
    });
    expect(await session.run(op, { v: 'one' }, 'cli')).toEqual({ done: 'gathered' });
    expect(lockFree).toBe(true);
    expect(session.vault.read('t', 'x')).toEqual({ v: 'one', gathered: 'gathered' });
    const { events } = await session.invoke('auditListEvents', { limit: 1, operation: 'vault test-network-first' }, 'cli');
    expect(events[0]).toMatchObject({ outcome: 'success', fields: { v: 'one' } });
    expect(await session.invoke('auditVerify', {}, 'cli')).toMatchObject({ valid: true });
  });

  it('a commit conflict rolls the commit back and is audited with VAULT.0506', async () => {
    ({ session, dir } = await newSession());
    const op = operation({
      network: async () => 'stale',
      commit(ctx) {
        ctx.store.put('t', 'half', {});
        throw commitConflict('changed meanwhile');
      },
    });
    await expect(session.run(op, { v: 'two' }, 'cli')).rejects.toMatchObject({ code: 'VAULT.0506', status: 409 });
    expect(session.vault.read('t', 'half')).toBeUndefined();
    const { events } = await session.invoke('auditListEvents', { limit: 1, operation: 'vault test-network-first' }, 'cli');
    expect(events[0]?.outcome).toBe('VAULT.0506');
  });

  it('called directly, a network-first handler runs both phases on the context it is given', async () => {
    const handler = networkFirst<{ log: string[] }, string, string, string>({
      network: async (ctx, input) => (ctx.log.push(`network ${input}`), 'g'),
      commit: (ctx, _input, g) => (ctx.log.push(`commit ${g}`), 'out'),
    });
    const ctx = { log: [] as string[] };
    expect(await handler(ctx, 'in')).toBe('out');
    expect(ctx.log).toEqual(['network in', 'commit g']);
    expect(phasesOf(() => undefined)).toBeUndefined();
  });

  it('the operations with slow work before their commit (the network, a KDF, key generation) are the phased ones, and all are mutating', () => {
    const phased = listOperations().filter((o) => o.phases);
    expect(phased.map((o) => `${o.decl.service} ${o.decl.name}`).sort()).toEqual([
      'kms create-key',
      'kms rotate-on-demand',
      'kps associate-keypair',
      'kps batch-import-keypair',
      'kps create-keypair',
      'kps disassociate-keypair',
      'kps import-private-key',
      'remote sync',
      'servers pin-host-key',
    ]);
    for (const o of phased) expect(o.decl.mutates).toBe(true);
  });
});
