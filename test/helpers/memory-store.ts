/** An in-memory RecordStore and KMS context, for testing services without a vault file. */
import { randomBytes } from 'node:crypto';
import type { KmsContext } from '../../electron/core/kms/context.js';
import { CMK_TABLE, type CmkRecord } from '../../electron/core/kms/keys.js';
import { SoftwareHsm } from '../../electron/core/hsm/software.js';
import type { RecordStore } from '../../electron/core/vault/store.js';

export function memoryStore(): RecordStore & { tables: Map<string, Map<string, string>> } {
  const tables = new Map<string, Map<string, string>>();
  const table = (t: string) => tables.get(t) ?? tables.set(t, new Map()).get(t)!;
  return {
    tables,
    read: <T>(t: string, id: string) => {
      const v = table(t).get(id);
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    list: <T>(t: string) => [...table(t).values()].map((v) => JSON.parse(v) as T),
    // Byte order, as the vault's SQLite ORDER BY id; ids here are ASCII, where the two agree.
    ids: (t, range = {}) =>
      [...table(t).keys()]
        .sort()
        .filter((id) => range.after === undefined || id > range.after)
        .slice(0, range.limit ?? Infinity),
    put: (t, id, value) => void table(t).set(id, JSON.stringify(value)),
    delete: (t, id) => void table(t).delete(id),
  };
}

export function memoryKmsContext(now = () => Date.now()): KmsContext & { store: ReturnType<typeof memoryStore> } {
  return {
    store: memoryStore(),
    hsm: new SoftwareHsm(randomBytes(32)),
    handles: new Map(),
    domain: { domain_id: 'd'.repeat(32), project_id: 'p'.repeat(32), realm: 'local' },
    now,
  };
}

/** Puts an enabled AES_256 CMK with known material (from a test vector) into `ctx`. */
export function putVectorCmk(ctx: KmsContext, cmk: { key_id: string; key_hex: string; key_version: number }): void {
  const record: CmkRecord = {
    key_id: cmk.key_id,
    key_alias: `vector-${cmk.key_id.slice(0, 8)}`,
    key_spec: 'AES_256',
    key_usage: 'ENCRYPT_DECRYPT',
    key_description: '',
    creation_date: 0,
    scheduled_deletion_date: null,
    key_state: '2',
    default_key: false,
    origin: 'kms',
    rotation_enabled: false,
    versions: [{ version: cmk.key_version, material: ctx.hsm.wrap('aes-256', Buffer.from(cmk.key_hex, 'hex')), created: 0 }],
  };
  ctx.store.put(CMK_TABLE, cmk.key_id, record);
}
