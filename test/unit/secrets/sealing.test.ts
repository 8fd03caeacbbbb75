import { describe, expect, it } from 'vitest';
import { newKey } from '../../../electron/core/kms/keys.js';
import type { SecretsContext } from '../../../electron/core/secrets/context.js';
import { openValue, rewrapValue, sealValue } from '../../../electron/core/secrets/sealing.js';
import { memoryKmsContext } from '../../helpers/memory-store.js';

function context(): SecretsContext {
  return { ...memoryKmsContext(), vault: { header: { vault_id: '0'.repeat(32) }, subkey: () => Buffer.alloc(32, 7) } };
}

const aes = (ctx: SecretsContext, alias: string) =>
  newKey(ctx, { key_alias: alias, key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', key_description: '', origin: 'kms' });
const at = { secretId: 'secret-1', versionId: 'v1' };

describe('version sealing', () => {
  it('uses a fresh data key per value and round-trips text and bytes', async () => {
    const ctx = context();
    const cmk = await aes(ctx, 'a');
    const one = sealValue(ctx, cmk, at, { secret_string: 'same' });
    const two = sealValue(ctx, cmk, at, { secret_string: 'same' });
    expect(one.data_key.ct).not.toBe(two.data_key.ct);
    expect(one.ct).not.toBe(two.ct);
    expect(JSON.stringify(one)).not.toContain(Buffer.from('same').toString('base64'));
    expect(openValue(ctx, at, one)).toEqual({ secret_string: 'same' });
    const bytes = Buffer.from([0, 255, 1]).toString('base64');
    expect(openValue(ctx, at, sealValue(ctx, cmk, at, { secret_binary: bytes }))).toEqual({ secret_binary: bytes });
  });

  it('binds a sealed value to its secret and version', async () => {
    const ctx = context();
    const sealed = sealValue(ctx, await aes(ctx, 'a'), at, { secret_string: 'x' });
    expect(() => openValue(ctx, { ...at, versionId: 'v2' }, sealed)).toThrow(/does not authenticate/);
    expect(() => openValue(ctx, { ...at, secretId: 'secret-2' }, sealed)).toThrow(/does not authenticate/);
    expect(() => openValue(ctx, at, { ...sealed, kind: 'binary' })).toThrow(/does not authenticate/);
  });

  it('re-wraps only the data key when the CMK changes', async () => {
    const ctx = context();
    const sealed = sealValue(ctx, await aes(ctx, 'a'), at, { secret_string: 'x' });
    const b = await aes(ctx, 'b');
    const moved = rewrapValue(ctx, b, at, sealed);
    expect({ iv: moved.iv, ct: moved.ct, tag: moved.tag }).toEqual({ iv: sealed.iv, ct: sealed.ct, tag: sealed.tag });
    expect(moved.data_key.key_id).toBe(b.key_id);
    expect(openValue(ctx, at, moved)).toEqual({ secret_string: 'x' });
  });
});
