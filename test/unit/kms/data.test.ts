// Data keys and random numbers with the reference's encodings: hex DEKs, plain_text =
// hex(DEK ‖ SHA-256(DEK)), datakey_dgst = hex SHA-256, lengths in bits (create) and bytes (encrypt/decrypt).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { createKey, expectCode, kms } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

let session: Session;
let keyId: string;
beforeAll(async () => {
  ({ session } = await newSession());
  keyId = await createKey(session);
});
afterAll(() => session.close());

const sha256hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('create-datakey', () => {
  it('defaults to 256 bits; datakey_length (bits) wins over key_spec; the ciphertext decrypts to the same DEK', async () => {
    const d = await kms(session, 'create-datakey', { key_id: keyId });
    expect(d.plain_text).toMatch(/^[0-9a-f]{64}$/);
    expect((await kms(session, 'create-datakey', { key_id: keyId, key_spec: 'AES_128' })).plain_text).toHaveLength(32);
    expect((await kms(session, 'create-datakey', { key_id: keyId, key_spec: 'HMAC_512' })).plain_text).toHaveLength(128);
    expect((await kms(session, 'create-datakey', { key_id: keyId, key_spec: 'AES_128', datakey_length: '512' })).plain_text).toHaveLength(128);
    const back = await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: d.cipher_text, datakey_cipher_length: '32' });
    expect(back).toEqual({ data_key: d.plain_text, datakey_length: '32', datakey_dgst: sha256hex(Buffer.from(d.plain_text, 'hex')) });
  });

  it('without plaintext returns only key_id and cipher_text, which decrypts', async () => {
    const d = await kms(session, 'create-datakey-without-plaintext', { key_id: keyId, datakey_length: '128' });
    expect(Object.keys(d).sort()).toEqual(['cipher_text', 'key_id']);
    expect((await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: d.cipher_text, datakey_cipher_length: '16' })).datakey_length).toBe('16');
  });

  it('refuses lengths that are not 8-8192 bits in multiples of 8 (KMS.1901 / KMS.2001)', async () => {
    await expectCode(kms(session, 'create-datakey', { key_id: keyId, datakey_length: '7' }), 'KMS.1901');
    await expectCode(kms(session, 'create-datakey', { key_id: keyId, datakey_length: '12' }), 'KMS.1901');
    await expectCode(kms(session, 'create-datakey', { key_id: keyId, datakey_length: '8200' }), 'KMS.1901');
    await expectCode(kms(session, 'create-datakey-without-plaintext', { key_id: keyId, datakey_length: '0' }), 'KMS.2001');
  });

  it('binds additional_authenticated_data: decrypting without it fails with KMS.2201', async () => {
    const d = await kms(session, 'create-datakey', { key_id: keyId, additional_authenticated_data: 'ctx' });
    await expectCode(kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: d.cipher_text, datakey_cipher_length: '32' }), 'KMS.2201');
    expect(
      (await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: d.cipher_text, datakey_cipher_length: '32', additional_authenticated_data: 'ctx' }))
        .data_key,
    ).toBe(d.plain_text);
  });
});

describe('encrypt-datakey / decrypt-datakey', () => {
  const dek = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677', 'hex');
  const plain = Buffer.concat([dek, createHash('sha256').update(dek).digest()]).toString('hex');

  it('round-trips a 40-byte DEK given as hex(DEK ‖ SHA-256(DEK)), with the digest the reference names', async () => {
    const e = await kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: plain, datakey_plain_length: '40' });
    expect(e).toMatchObject({ key_id: keyId, datakey_length: '40' });
    const d = await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: e.cipher_text, datakey_cipher_length: '40' });
    expect(d).toEqual({ data_key: dek.toString('hex'), datakey_length: '40', datakey_dgst: sha256hex(dek) });
  });

  it('a wrong digest is KMS.2103, a wrong length KMS.2102, bad hex KMS.2101', async () => {
    const badDigest = plain.slice(0, -2) + (plain.endsWith('00') ? '01' : '00');
    await expectCode(kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: badDigest, datakey_plain_length: '40' }), 'KMS.2103');
    await expectCode(kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: plain, datakey_plain_length: '32' }), 'KMS.2102');
    await expectCode(kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: 'zz'.repeat(40), datakey_plain_length: '8' }), 'KMS.2101');
  });

  it('decrypt-datakey: a wrong datakey_cipher_length is KMS.2202; a ciphertext of another key is KMS.2201', async () => {
    const e = await kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: plain, datakey_plain_length: '40' });
    await expectCode(kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: e.cipher_text, datakey_cipher_length: '32' }), 'KMS.2202');
    const other = await createKey(session);
    await expectCode(kms(session, 'decrypt-datakey', { key_id: other, cipher_text: e.cipher_text, datakey_cipher_length: '40' }), 'KMS.2201');
  });
});

describe('gen-random', () => {
  it('returns random_data_length bits as hex, different each time; bad lengths are KMS.1801', async () => {
    const a = (await kms(session, 'gen-random', { random_data_length: '512' })).random_data;
    const b = (await kms(session, 'create-random', { random_data_length: '512' })).random_data;
    expect(a).toMatch(/^[0-9a-f]{128}$/);
    expect(a).not.toBe(b);
    expect((await kms(session, 'gen-random', { random_data_length: '8' })).random_data).toHaveLength(2);
    for (const bad of ['0', '9', '8200', 'abc']) await expectCode(kms(session, 'gen-random', { random_data_length: bad }), 'KMS.1801');
  });
});
