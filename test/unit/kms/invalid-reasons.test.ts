// KMS.0308 ("Invalid XXX", reference §3.1) covers many conditions the cloud gives one code; each
// keeps that code on the wire and names its own check in the error's internal reason.
import { describe, expect, it } from 'vitest';
import { newKey } from '../../../electron/core/kms/keys.js';
import { kmsHandlers } from '../../../electron/core/kms/service.js';
import { usageFor } from '../../../electron/core/kms/key-specs.js';
import { memoryKmsContext } from '../../helpers/memory-store.js';

function refusal(run: () => unknown): { code: string; reason?: string } {
  try {
    run();
  } catch (e) {
    const { code, reason } = e as { code: string; reason?: string };
    return { code, reason };
  }
  throw new Error('not refused');
}

describe('KMS.0308: one wire code, a reason per check', () => {
  it('names which check fired', async () => {
    const ctx = memoryKmsContext();
    const ec = await newKey(ctx, { key_alias: 'ec', key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY', key_description: '', origin: 'kms' });
    const aes = await newKey(ctx, { key_alias: 'aes', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', key_description: '', origin: 'kms' });
    const pending = await newKey(ctx, { key_alias: 'ext', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', key_description: '', origin: 'external' });
    const sign = (over: object) => () =>
      kmsHandlers.sign(ctx, {
        key_id: ec.key_id,
        message: Buffer.from('m').toString('base64'),
        signing_algorithm: 'ECDSA_SHA_256',
        message_type: 'RAW',
        ...over,
      });
    const got = {
      algorithm: refusal(sign({ signing_algorithm: 'RSASSA_PSS_SHA_256' })),
      digest: refusal(sign({ message_type: 'DIGEST' })),
      length: refusal(sign({ message: Buffer.alloc(4097).toString('base64') })),
      usage: refusal(sign({ key_id: aes.key_id })),
      publicKey: refusal(() => kmsHandlers.getPublickey(ctx, { key_id: aes.key_id })),
      notActive: refusal(() => kmsHandlers.encryptData(ctx, { key_id: pending.key_id, plain_text: 'x', encryption_algorithm: 'SYMMETRIC_DEFAULT' })),
      keyUsage: refusal(() => usageFor('AES_256', 'SIGN_VERIFY')),
    };
    expect(got).toEqual({
      algorithm: { code: 'KMS.0308', reason: 'algorithm.not-for-spec' },
      digest: { code: 'KMS.0308', reason: 'message.digest-length' },
      length: { code: 'KMS.0308', reason: 'message.length' },
      usage: { code: 'KMS.0308', reason: 'key.wrong-usage' },
      publicKey: { code: 'KMS.0308', reason: 'key.no-public-key' },
      notActive: { code: 'KMS.0308', reason: 'wrap.not-active' },
      keyUsage: { code: 'KMS.0308', reason: 'usage.not-for-spec' },
    });
  });
});
