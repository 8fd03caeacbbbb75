// generate-mac / verify-mac: each HMAC spec computes its algorithm; verification is exact.
// (The MAC value against openssl with known material is in the BYOK interop test.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { createKey, expectCode, kms } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

let session: Session;
beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

const message = Buffer.from('mac me').toString('base64');

describe.each([
  ['HMAC_256', 'HMAC_SHA_256', 64],
  ['HMAC_384', 'HMAC_SHA_384', 96],
  ['HMAC_512', 'HMAC_SHA_512', 128],
] as const)('%s', (spec, alg, hexLen) => {
  it(`generates a ${hexLen}-hex-digit ${alg} that verifies (mac_valid a boolean), and only for this message`, async () => {
    const keyId = await createKey(session, spec);
    const g = await kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: alg, message });
    expect(g).toMatchObject({ key_id: keyId, mac_algorithm: alg });
    expect(g.mac).toMatch(new RegExp(`^[0-9a-f]{${hexLen}}$`));
    expect(await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm: alg, message, mac: g.mac })).toEqual({
      key_id: keyId,
      mac_algorithm: alg,
      mac_valid: true,
    });
    const other = Buffer.from('mac me!').toString('base64');
    expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm: alg, message: other, mac: g.mac })).mac_valid).toBe(false);
    expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm: alg, message, mac: g.mac.slice(0, -2) })).mac_valid).toBe(false);
    const wrongAlg = alg === 'HMAC_SHA_256' ? 'HMAC_SHA_512' : 'HMAC_SHA_256';
    await expectCode(kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: wrongAlg, message }), 'KMS.0308');
  });
});

it('two HMAC keys give different MACs; an AES key gives none (KMS.0308)', async () => {
  const a = await createKey(session, 'HMAC_256');
  const b = await createKey(session, 'HMAC_256');
  const ma = (await kms(session, 'generate-mac', { key_id: a, mac_algorithm: 'HMAC_SHA_256', message })).mac;
  const mb = (await kms(session, 'generate-mac', { key_id: b, mac_algorithm: 'HMAC_SHA_256', message })).mac;
  expect(ma).not.toBe(mb);
  await expectCode(kms(session, 'generate-mac', { key_id: await createKey(session), mac_algorithm: 'HMAC_SHA_256', message }), 'KMS.0308');
});
