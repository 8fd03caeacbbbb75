// One wrapping rule (kms/wrap.ts), four callers: each refusal reason, for each service that
// wraps under a CMK, answers with that service's own code, and names its reason.
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeySpec, KeyUsage } from '../../../shared/constants.js';
import { localCmkKeyring, localVaultResolver } from '../../../electron/core/envelope/keyrings.js';
import { generateKey } from '../../../electron/core/keypairs/generate.js';
import type { PrivateKey } from '../../../electron/core/keypairs/key.js';
import { sealPrivateKey, unsealPrivateKey, type KeypairRecord } from '../../../electron/core/keypairs/records.js';
import { CMK_TABLE, newKey, STATE, type CmkRecord } from '../../../electron/core/kms/keys.js';
import { kmsHandlers } from '../../../electron/core/kms/service.js';
import { chooseCmk } from '../../../electron/core/secrets/cmk.js';
import type { SecretsContext } from '../../../electron/core/secrets/context.js';
import { openValue, sealValue } from '../../../electron/core/secrets/sealing.js';
import { memoryKmsContext } from '../../helpers/memory-store.js';

type Ctx = ReturnType<typeof memoryKmsContext>;
type Case = 'disabled' | 'pending deletion' | 'wrong usage' | 'wrong spec' | 'missing version' | 'no such key';

interface Caller {
  /** Wraps something under `keyId` (the refusal cases before any material is used). */
  wrap(ctx: Ctx, keyId: string): Promise<unknown>;
  /** Wraps under a good key, then opens a copy that names version 9. */
  openMissingVersion(ctx: Ctx, keyId: string): Promise<unknown>;
  codes: Record<Case, string>;
}

let sshKey: PrivateKey;
beforeAll(async () => {
  sshKey = await generateKey('SSH_ED25519');
});

const at = { secretId: 's', versionId: 'v1' };
const secretsCtx = (ctx: Ctx) => ctx as unknown as SecretsContext;
const binding = Buffer.from('header binding');

const callers: Record<string, Caller> = {
  'KMS encrypt-data / decrypt-data': {
    wrap: async (ctx, key_id) => kmsHandlers.encryptData(ctx, { key_id, plain_text: 'x', encryption_algorithm: 'SYMMETRIC_DEFAULT' }),
    openMissingVersion: async (ctx, key_id) => {
      const { cipher_text } = await kmsHandlers.encryptData(ctx, { key_id, plain_text: 'x', encryption_algorithm: 'SYMMETRIC_DEFAULT' });
      const raw = Buffer.from(cipher_text, 'base64');
      raw.writeUInt32BE(9, 18);
      return kmsHandlers.decryptData(ctx, { cipher_text: raw.toString('base64'), encryption_algorithm: 'SYMMETRIC_DEFAULT' });
    },
    codes: {
      disabled: 'KMS.0209',
      'pending deletion': 'KMS.0210',
      'wrong usage': 'KMS.0308',
      'wrong spec': 'KMS.0308',
      'missing version': 'KMS.2201',
      'no such key': 'KMS.0207',
    },
  },
  'CSMS secret values': {
    wrap: async (ctx, keyId) => sealValue(secretsCtx(ctx), await chooseCmk(secretsCtx(ctx), keyId), at, { secret_string: 'pw' }),
    openMissingVersion: async (ctx, keyId) => {
      const sealed = sealValue(secretsCtx(ctx), await chooseCmk(secretsCtx(ctx), keyId), at, { secret_string: 'pw' });
      return openValue(secretsCtx(ctx), at, { ...sealed, data_key: { ...sealed.data_key, key_version: 9 } });
    },
    codes: {
      disabled: 'CSMS.0002',
      'pending deletion': 'CSMS.0002',
      'wrong usage': 'CSMS.0002',
      'wrong spec': 'CSMS.0002',
      'missing version': 'VAULT.0501',
      'no such key': 'CSMS.0005',
    },
  },
  'KPS hosted private keys': {
    wrap: (ctx, kms_key_id) => sealPrivateKey(ctx, 'web', sshKey, '', { type: 'kms', kms_key_id }),
    openMissingVersion: async (ctx, kms_key_id) => {
      const sealed = await sealPrivateKey(ctx, 'web', sshKey, '', { type: 'kms', kms_key_id });
      return unsealPrivateKey(ctx, { name: 'web', private_key: { ...sealed, key_version: 9 } } as KeypairRecord);
    },
    codes: {
      disabled: 'KMS.0209',
      'pending deletion': 'KMS.0210',
      'wrong usage': 'KPS.0002',
      'wrong spec': 'KPS.0002',
      'missing version': 'KPS.7005',
      'no such key': 'KMS.0207',
    },
  },
  'envelope files (local CMK keyring)': {
    wrap: (ctx, keyId) => localCmkKeyring(ctx, keyId).wrap(Buffer.alloc(32, 1), binding),
    openMissingVersion: async (ctx, keyId) => {
      const edk = await localCmkKeyring(ctx, keyId).wrap(Buffer.alloc(32, 1), binding);
      return localVaultResolver(ctx).unwrap({ ...edk, entry: { type: 'local-cmk', keyId, keyVersion: 9 } }, binding);
    },
    codes: {
      disabled: 'KMS.0209',
      'pending deletion': 'KMS.0210',
      'wrong usage': 'KMS.0308',
      'wrong spec': 'KMS.0308',
      'missing version': 'FILE.0105',
      'no such key': 'KMS.0207',
    },
  },
};

const REASON: Record<Case, string> = {
  disabled: 'wrap.disabled',
  'pending deletion': 'wrap.pending-deletion',
  'wrong usage': 'wrap.wrong-usage',
  'wrong spec': 'wrap.wrong-spec',
  'missing version': 'wrap.missing-version',
  'no such key': 'wrap.not-found',
};

async function key(ctx: Ctx, spec: KeySpec, usage: KeyUsage, state?: CmkRecord['key_state']): Promise<string> {
  const k = await newKey(ctx, { key_alias: `k-${spec}-${usage}-${state ?? 'on'}`, key_spec: spec, key_usage: usage, key_description: '', origin: 'kms' });
  if (state) ctx.store.put(CMK_TABLE, k.key_id, { ...k, key_state: state });
  return k.key_id;
}

async function refusalOf(run: () => Promise<unknown>): Promise<{ code: string; reason?: string }> {
  try {
    await run();
  } catch (e) {
    const { code, reason } = e as { code: string; reason?: string };
    return { code, reason };
  }
  throw new Error('not refused');
}

describe('wrapping under a CMK: every refusal reason, per service', () => {
  for (const [name, c] of Object.entries(callers)) {
    it(name, async () => {
      const ctx = memoryKmsContext();
      const cases: Record<Case, () => Promise<unknown>> = {
        disabled: async () => c.wrap(ctx, await key(ctx, 'AES_256', 'ENCRYPT_DECRYPT', STATE.disabled)),
        'pending deletion': async () => c.wrap(ctx, await key(ctx, 'AES_256', 'ENCRYPT_DECRYPT', STATE.pendingDeletion)),
        'wrong usage': async () => c.wrap(ctx, await key(ctx, 'RSA_2048', 'SIGN_VERIFY')),
        'wrong spec': async () => c.wrap(ctx, await key(ctx, 'RSA_2048', 'ENCRYPT_DECRYPT')),
        'missing version': async () => c.openMissingVersion(ctx, await key(ctx, 'AES_256', 'ENCRYPT_DECRYPT')),
        'no such key': async () => c.wrap(ctx, '0a1b2c3d-0000-4000-8000-000000000000'),
      };
      const got = Object.fromEntries(await Promise.all(Object.entries(cases).map(async ([k, run]) => [k, await refusalOf(run)] as const)));
      const want = Object.fromEntries(Object.keys(cases).map((k) => [k, { code: c.codes[k as Case], reason: REASON[k as Case] }]));
      expect(got).toEqual(want);
    });
  }

  it('a good key wraps and opens for every service (the table above refuses for its reasons, not always)', async () => {
    const ctx = memoryKmsContext();
    const id = await key(ctx, 'AES_256', 'ENCRYPT_DECRYPT');
    const { cipher_text } = await kmsHandlers.encryptData(ctx, { key_id: id, plain_text: 'x', encryption_algorithm: 'SYMMETRIC_DEFAULT' });
    expect((await kmsHandlers.decryptData(ctx, { cipher_text, encryption_algorithm: 'SYMMETRIC_DEFAULT' })).plain_text).toBe('x');
    const sealed = sealValue(secretsCtx(ctx), await chooseCmk(secretsCtx(ctx), id), at, { secret_string: 'pw' });
    expect(openValue(secretsCtx(ctx), at, sealed)).toEqual({ secret_string: 'pw' });
    const pk = await sealPrivateKey(ctx, 'web', sshKey, '', { type: 'kms', kms_key_id: id });
    expect(unsealPrivateKey(ctx, { name: 'web', private_key: pk } as KeypairRecord)).toContain('OPENSSH PRIVATE KEY');
    const edk = await localCmkKeyring(ctx, id).wrap(Buffer.alloc(32, 1), binding);
    expect(await localVaultResolver(ctx).unwrap(edk, binding)).toEqual(Buffer.alloc(32, 1));
  });
});
