// The registry is built from the services' modules: two modules declaring one operation key
// (or one service name) is an error when it is built, never a silent overwrite, and every
// declaration in shared/ has its implementation.
import { describe, expect, it } from 'vitest';
import { buildRegistry, listOperations, SERVICE_MODULES, type AnyModule } from '../../../electron/core/api/registry.js';
import { operations, serviceModule } from '../../../shared/operations/index.js';
import {
  asymmetricOperations,
  dataOperations,
  grantOperations,
  importOperations,
  keyStoreOperations,
  kmsOperations,
  lifecycleOperations,
  rotationOperations,
  tagOperations,
} from '../../../shared/operations/kms.js';

const { createKey, listKeys } = kmsOperations;
const one = (name: string, decls: Record<string, (typeof operations)[keyof typeof operations]>): AnyModule =>
  serviceModule({ declarations: decls, handlers: Object.fromEntries(Object.keys(decls).map((k) => [k, () => name])) as never });

describe('registry', () => {
  it('refuses two modules that declare the same operation key', () => {
    expect(() => buildRegistry([one('a', { createKey }), one('b', { createKey })], {})).toThrow(/createKey is declared by two services/);
  });

  it('refuses two keys that answer to one service and name', () => {
    expect(() => buildRegistry([one('a', { createKey }), one('b', { otherCreate: createKey })], {})).toThrow(/kms create-key is declared twice/);
  });

  it('refuses a declaration no module implements', () => {
    expect(() => buildRegistry([one('a', { createKey })], { createKey, listKeys })).toThrow(/in no service module: listKeys/);
  });

  it("binds every declaration of shared/ exactly once, and the services' keys are disjoint", () => {
    const keys = SERVICE_MODULES.flatMap((m) => Object.keys(m.declarations));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(Object.keys(operations).sort());
    expect(listOperations()).toHaveLength(keys.length);
  });

  it("KMS's declaration groups are disjoint too (their merge would hide a duplicate)", () => {
    const groups = [
      lifecycleOperations,
      dataOperations,
      asymmetricOperations,
      rotationOperations,
      importOperations,
      grantOperations,
      tagOperations,
      keyStoreOperations,
    ];
    const keys = groups.flatMap((g) => Object.keys(g));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(Object.keys(kmsOperations).length);
  });

  it('takes the default key and the grantee policy from the service modules', () => {
    const byKey = new Map(listOperations().map((o) => [o.key, o]));
    expect(byKey.get('encryptData')).toMatchObject({ defaultKey: 'kms', granteeMay: true });
    expect(byKey.get('createKey')).toMatchObject({ defaultKey: 'kms' });
    expect(byKey.get('createKey')?.granteeMay).toBeUndefined();
    expect(byKey.get('createSecret')).toMatchObject({ defaultKey: 'csms' });
    expect(byKey.get('createSecret')?.granteeMay).toBeUndefined();
    expect(byKey.get('associateKeypair')?.defaultKey).toBe('kps');
    expect(byKey.get('fileEncrypt')?.defaultKey).toBeUndefined();
  });
});
