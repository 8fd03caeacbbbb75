// Bring your own key material: token binding and lifetime, expiry of the material, deletion,
// and re-import only of the same material. Material is wrapped here with node:crypto
// (openssl does it in test/integration/kms-openssl.test.ts).
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { createKey, expectCode, kms, readKey } from '../../helpers/kms.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';

afterEach(() => vi.useRealTimers());

function wrap(publicKeyB64: string, material: Buffer, oaepHash = 'sha256'): string {
  const key = createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, material).toString('base64');
}

async function params(session: Session, key_id: string) {
  return kms(session, 'get-parameters-for-import', { key_id, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
}

describe('import parameters', () => {
  it('an external key starts pending import (5); parameters: RSA-2048 DER public key, a 200+ char token, expiry 24 h ahead in seconds', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session, 'AES_256', { origin: 'external' });
    expect((await kms(session, 'describe-key', { key_id })).key_info).toMatchObject({ key_state: '5', origin: 'external' });
    const p = await params(session, key_id);
    expect(createPublicKey({ key: Buffer.from(p.public_key, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(p.import_token).toMatch(/^[0-9a-zA-Z+/=]{200,6144}$/);
    expect(Math.abs(p.expiration_time - (Date.now() / 1000 + 24 * 3600))).toBeLessThan(60);
    await expectCode(kms(session, 'get-parameters-for-import', { key_id: await createKey(session) }), 'KMS.0309');
    session.close();
  });
});

describe('import-key-material', () => {
  it('enables the key; the token is bound to its key (KMS.2603), single use (KMS.2605), and must be ours (KMS.2601)', async () => {
    const { session } = await newSession();
    const a = await createKey(session, 'AES_256', { origin: 'external' });
    const b = await createKey(session, 'AES_256', { origin: 'external' });
    const pa = await params(session, a);
    const material = randomBytes(32);
    await expectCode(
      kms(session, 'import-key-material', { key_id: b, import_token: pa.import_token, encrypted_key_material: wrap(pa.public_key, material) }),
      'KMS.2603',
    );
    await expectCode(
      kms(session, 'import-key-material', {
        key_id: a,
        import_token: Buffer.alloc(150, 1).toString('base64'),
        encrypted_key_material: wrap(pa.public_key, material),
      }),
      'KMS.2601',
    );
    expect(
      await kms(session, 'import-key-material', { key_id: a, import_token: pa.import_token, encrypted_key_material: wrap(pa.public_key, material) }),
    ).toEqual({});
    expect((await kms(session, 'describe-key', { key_id: a })).key_info.key_state).toBe('2');
    expect(
      (await kms(session, 'decrypt-data', { cipher_text: (await kms(session, 'encrypt-data', { key_id: a, plain_text: 'byok' })).cipher_text })).plain_text,
    ).toBe('byok');
    await kms(session, 'delete-imported-key-material', { key_id: a });
    await expectCode(
      kms(session, 'import-key-material', { key_id: a, import_token: pa.import_token, encrypted_key_material: wrap(pa.public_key, material) }),
      'KMS.2605',
    );
    session.close();
  });

  it('material of the wrong length is KMS.2604; a block that does not decrypt is KMS.0311; a past expiry is KMS.2602', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session, 'AES_256', { origin: 'external' });
    const p = await params(session, key_id);
    await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrap(p.public_key, randomBytes(16)) }),
      'KMS.2604',
    );
    await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrap(p.public_key, randomBytes(32), 'sha1') }),
      'KMS.0311',
    );
    await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: randomBytes(256).toString('base64') }),
      'KMS.0311',
    );
    const past = Math.floor(Date.now() / 1000) - 10;
    await expectCode(
      kms(session, 'import-key-material', {
        key_id,
        import_token: p.import_token,
        encrypted_key_material: wrap(p.public_key, randomBytes(32)),
        expiration_time: past,
      }),
      'KMS.2602',
    );
    session.close();
  });

  it('with RSAES_PKCS1_V1_5, bad padding and a wrong length are the same refusal (KMS.0311): no padding oracle', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session, 'AES_256', { origin: 'external' });
    const p = await kms(session, 'get-parameters-for-import', { key_id, wrapping_algorithm: 'RSAES_PKCS1_V1_5' });
    // node:crypto refuses PKCS#1 v1.5 only for private decryption; node-forge wraps here as an outside tool would.
    const pub = forge.pki.publicKeyFromPem(
      createPublicKey({ key: Buffer.from(p.public_key, 'base64'), format: 'der', type: 'spki' })
        .export({ format: 'pem', type: 'spki' })
        .toString(),
    );
    const wrapPkcs1 = (m: Buffer) => Buffer.from(pub.encrypt(m.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary').toString('base64');
    const badLength = await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrapPkcs1(randomBytes(16)) }),
      'KMS.0311',
    );
    const badPadding = await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: randomBytes(256).toString('base64') }),
      'KMS.0311',
    );
    expect(badLength.message).toBe(badPadding.message);
    const material = randomBytes(32);
    expect(await kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrapPkcs1(material) })).toEqual({});
    session.close();
  });

  it('a token older than 24 hours is refused (KMS.2605)', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session, 'AES_256', { origin: 'external' });
    const p = await params(session, key_id);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 24 * 3600 * 1000 + 1000);
    await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrap(p.public_key, randomBytes(32)) }),
      'KMS.2605',
    );
    session.close();
  });
});

describe('deleting and re-importing material', () => {
  it('delete returns the key to pending import; only the same material comes back (KMS.2606), and old ciphertexts decrypt again', async () => {
    const { session } = await newSession();
    const key_id = await createKey(session, 'AES_256', { origin: 'external' });
    const material = randomBytes(32);
    let p = await params(session, key_id);
    await kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrap(p.public_key, material) });
    const { cipher_text } = await kms(session, 'encrypt-data', { key_id, plain_text: 'kept' });
    expect(await kms(session, 'delete-imported-key-material', { key_id })).toEqual({});
    expect((await kms(session, 'describe-key', { key_id })).key_info.key_state).toBe('5');
    await expectCode(kms(session, 'decrypt-data', { cipher_text }), 'KMS.0308');
    await expectCode(kms(session, 'delete-imported-key-material', { key_id }), 'KMS.2701');
    p = await params(session, key_id);
    await expectCode(
      kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrap(p.public_key, randomBytes(32)) }),
      'KMS.2606',
    );
    await kms(session, 'import-key-material', { key_id, import_token: p.import_token, encrypted_key_material: wrap(p.public_key, material) });
    expect((await kms(session, 'decrypt-data', { cipher_text })).plain_text).toBe('kept');
    await expectCode(kms(session, 'delete-imported-key-material', { key_id: await createKey(session) }), 'KMS.0309');
    session.close();
  });

  it('material past its expiration_time is removed when the vault opens: the key returns to pending import', async () => {
    const { session, path } = await newSession();
    const key_id = await createKey(session, 'AES_256', { origin: 'external' });
    const p = await params(session, key_id);
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    await kms(session, 'import-key-material', {
      key_id,
      import_token: p.import_token,
      encrypted_key_material: wrap(p.public_key, randomBytes(32)),
      expiration_time: expiry,
    });
    expect((await kms(session, 'describe-key', { key_id })).key_info.expiration_time).toBe(String(expiry * 1000));
    session.close();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((expiry + 1) * 1000);
    const s = await Session.open(path, { password: TEST_PASSWORD });
    expect(readKey(s, key_id)).toMatchObject({ key_state: '5', versions: [] });
    expect(await s.invoke('auditListEvents', { operation: 'kms expire-key-material' }, 'cli')).toMatchObject({ events: [{ key_id }] });
    s.close();
  });
});
