// Open-time maintenance tasks re-check that their work is still due inside their own
// transaction: two processes that both saw a rotation due rotate the key once.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { SoftwareHsm } from '../../../electron/core/hsm/software.js';
import type { KmsContext } from '../../../electron/core/kms/context.js';
import { CMK_TABLE, type CmkRecord } from '../../../electron/core/kms/keys.js';
import { DueIndexedStore, rebuildKmsDue } from '../../../electron/core/kms/due-index.js';
import { kmsDueTasks } from '../../../electron/core/kms/maintenance.js';
import { kmsHandlers } from '../../../electron/core/kms/service.js';
import type { RecordStore } from '../../../electron/core/vault/store.js';

function memoryStore(): RecordStore {
  const rows = new Map<string, string>();
  return {
    read: <T>(t: string, id: string) => (rows.has(`${t}/${id}`) ? (JSON.parse(rows.get(`${t}/${id}`)!) as T) : undefined),
    list: <T>(t: string) => [...rows].filter(([k]) => k.startsWith(`${t}/`)).map(([, v]) => JSON.parse(v) as T),
    ids: (t, range = {}) =>
      [...rows.keys()]
        .filter((k) => k.startsWith(`${t}/`))
        .map((k) => k.slice(t.length + 1))
        .sort()
        .filter((id) => range.after === undefined || id > range.after)
        .slice(0, range.limit ?? Infinity),
    put: (t, id, v) => void rows.set(`${t}/${id}`, JSON.stringify(v)),
    delete: (t, id) => void rows.delete(`${t}/${id}`),
  };
}

it('a due rotation seen by two openers is applied once; a due deletion once', async () => {
  let now = Date.now();
  // As in a session: the store keeps the due index, which a new vault starts with.
  const store = new DueIndexedStore(memoryStore());
  rebuildKmsDue(store);
  const ctx: KmsContext = {
    store,
    hsm: new SoftwareHsm(randomBytes(32)),
    handles: new Map(),
    domain: { domain_id: 'd', project_id: 'p', realm: 'local' },
    now: () => now,
  };
  const rotating = (await kmsHandlers.createKey(ctx, { key_alias: 'r', key_spec: 'AES_256', key_description: '', origin: 'kms' })).key_info.key_id;
  const doomed = (await kmsHandlers.createKey(ctx, { key_alias: 'd', key_spec: 'AES_256', key_description: '', origin: 'kms' })).key_info.key_id;
  await kmsHandlers.enableKeyRotation(ctx, { key_id: rotating });
  await kmsHandlers.updateKeyRotationInterval(ctx, { key_id: rotating, rotation_interval: 30 });
  await kmsHandlers.scheduleKeyDeletion(ctx, { key_id: doomed, pending_days: '7' });
  now += 31 * 86_400_000;
  const first = kmsDueTasks(ctx).tasks;
  const second = kmsDueTasks(ctx).tasks;
  expect(first.map((s) => s.operation).sort()).toEqual(['kms destroy-key', 'kms rotate-key']);
  for (const step of [...first, ...second]) await step.run(ctx);
  expect(ctx.store.read<CmkRecord>(CMK_TABLE, rotating)?.versions.map((v) => v.version)).toEqual([1, 2]);
  expect(ctx.store.read<CmkRecord>(CMK_TABLE, doomed)).toBeUndefined();
  expect(kmsDueTasks(ctx)).toEqual({ tasks: [], damaged: [] });
});
