// The key specs ED25519, SM2, SM4 and HMAC_SM3 checked against openssl (OpenSSL 3's SM2 with
// `distid`, SM3, SM4-CTR, Ed25519) and the published constants of the standards, never against
// Keyhold's own code: signatures verified by `openssl pkeyutl -verify`, SM2 ciphertexts opened by
// `openssl pkeyutl -decrypt` and the other way round, SM4-GCM's keystream recomputed with
// `openssl enc -sm4-ctr`, HMAC-SM3 and the data-key digest recomputed by `openssl`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { createKey, expectCode, kms, putKeyPair } from '../helpers/kms.js';
import { newSession, tempDir } from '../helpers/vault.js';

let session: Session;
const dir = tempDir('keyhold-sm-');
const ossl = (args: string[], input?: Buffer) => execFileSync('openssl', args, { cwd: dir, input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
/** openssl's exit status as a boolean (a failed verification exits 1). */
const osslOk = (args: string[]) => {
  try {
    ossl(args);
    return true;
  } catch {
    return false;
  }
};
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const file = (name: string, data: string | Buffer) => {
  writeFileSync(join(dir, name), data);
  return name;
};

beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

// GB/T 32918.5 (SM2 recommended curve) constants and GM/T 0009's default id, from the standards.
const SM2_A = 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC';
const SM2_B = '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93';
const SM2_GX = '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7';
const SM2_GY = 'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0';
const DEFAULT_ID = '1234567812345678';

/** e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), hashed by openssl. */
function sm2Digest(publicPem: string, message: Buffer): Buffer {
  const spki = Buffer.from(publicPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const point = spki.subarray(spki.length - 64);
  const id = Buffer.from(DEFAULT_ID);
  const zInput = Buffer.concat([Buffer.from([0, id.length * 8]), id, Buffer.from(SM2_A + SM2_B + SM2_GX + SM2_GY, 'hex'), point]);
  const z = ossl(['dgst', '-sm3', '-binary'], zInput);
  return ossl(['dgst', '-sm3', '-binary'], Buffer.concat([z, message]));
}

describe('ED25519', () => {
  it('signs RAW messages that openssl verifies with the exported public key; verify agrees', async () => {
    const keyId = await createKey(session, 'ED25519');
    expect((await kms(session, 'describe-key', { key_id: keyId })).key_info.key_usage).toBe('SIGN_VERIFY');
    const pub = file('ed.pub.pem', (await kms(session, 'get-publickey', { key_id: keyId })).public_key);
    expect(ossl(['pkey', '-pubin', '-in', pub, '-noout', '-text']).toString()).toContain('ED25519');
    const msg = Buffer.from('release 3.1 of the signer');
    file('ed.msg', msg);
    const { signature } = await kms(session, 'sign', { key_id: keyId, signing_algorithm: 'ED25519_SHA_512', message_type: 'RAW', message: b64(msg) });
    file('ed.sig', Buffer.from(signature, 'base64'));
    expect(ossl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', 'ed.msg', '-sigfile', 'ed.sig']).toString()).toContain(
      'Signature Verified Successfully',
    );
    file('ed.msg2', 'release 3.2 of the signer');
    expect(osslOk(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', 'ed.msg2', '-sigfile', 'ed.sig'])).toBe(false);
    const v = (message: Buffer) =>
      kms(session, 'verify', { key_id: keyId, signing_algorithm: 'ED25519_SHA_512', message_type: 'RAW', message: b64(message), signature });
    expect((await v(msg)).signature_valid).toBe('true');
    expect((await v(Buffer.from('release 3.2 of the signer'))).signature_valid).toBe('false');
  });

  it('verifies signatures openssl made with an outside key', async () => {
    ossl(['genpkey', '-algorithm', 'ED25519', '-out', 'ed-out.pem']);
    ossl(['pkcs8', '-topk8', '-nocrypt', '-in', 'ed-out.pem', '-outform', 'DER', '-out', 'ed-out.der']);
    const keyId = await putKeyPair(session, 'ED25519', 'ed25519', readFileSync(join(dir, 'ed-out.der')));
    file('ed-out.msg', 'made by openssl');
    ossl(['pkeyutl', '-sign', '-inkey', 'ed-out.pem', '-rawin', '-in', 'ed-out.msg', '-out', 'ed-out.sig']);
    const r = await kms(session, 'verify', {
      key_id: keyId,
      signing_algorithm: 'ED25519_SHA_512',
      message_type: 'RAW',
      message: b64('made by openssl'),
      signature: readFileSync(join(dir, 'ed-out.sig')).toString('base64'),
    });
    expect(r.signature_valid).toBe('true');
  });

  it('refuses DIGEST messages, other algorithms and ENCRYPT_DECRYPT with KMS.0308', async () => {
    const keyId = await createKey(session, 'ED25519');
    const e = await expectCode(kms(session, 'sign', { key_id: keyId, signing_algorithm: 'ED25519_SHA_512', message: b64(Buffer.alloc(64, 1)) }), 'KMS.0308');
    expect(e.message).toContain('message_type RAW');
    await expectCode(kms(session, 'sign', { key_id: keyId, signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW', message: b64('x') }), 'KMS.0308');
    await expectCode(createKey(session, 'ED25519', { key_usage: 'ENCRYPT_DECRYPT' }), 'KMS.0308');
  });
});

describe('SM2', () => {
  it('signs (RAW) with the default distinguishing id: openssl verifies with distid 1234567812345678 and not without it', async () => {
    const keyId = await createKey(session, 'SM2');
    const pem = (await kms(session, 'get-publickey', { key_id: keyId })).public_key as string;
    const pub = file('sm2.pub.pem', pem);
    expect(ossl(['pkey', '-pubin', '-in', pub, '-noout', '-text']).toString()).toContain('SM2');
    const msg = Buffer.from('transfer 100 to account 7');
    file('sm2.msg', msg);
    const { signature } = await kms(session, 'sign', { key_id: keyId, signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW', message: b64(msg) });
    file('sm2.sig', Buffer.from(signature, 'base64'));
    const verify = ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-digest', 'sm3', '-in', 'sm2.msg', '-sigfile', 'sm2.sig'];
    expect(ossl([...verify, '-pkeyopt', `distid:${DEFAULT_ID}`]).toString()).toContain('Signature Verified Successfully');
    expect(osslOk([...verify, '-pkeyopt', 'distid:another-id'])).toBe(false);
    expect(osslOk(verify)).toBe(false);
    expect(
      (await kms(session, 'verify', { key_id: keyId, signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW', message: b64(msg), signature })).signature_valid,
    ).toBe('true');
  });

  it("DIGEST takes e = SM3(Z ‖ M) computed outside: the signature verifies as the message's", async () => {
    const keyId = await createKey(session, 'SM2');
    const pem = (await kms(session, 'get-publickey', { key_id: keyId })).public_key as string;
    const pub = file('sm2d.pub.pem', pem);
    const msg = Buffer.from('digest mode');
    file('sm2d.msg', msg);
    const e = sm2Digest(pem, msg);
    const { signature } = await kms(session, 'sign', { key_id: keyId, signing_algorithm: 'SM2DSA_SM3', message: b64(e) });
    file('sm2d.sig', Buffer.from(signature, 'base64'));
    expect(
      ossl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        pub,
        '-rawin',
        '-digest',
        'sm3',
        '-in',
        'sm2d.msg',
        '-sigfile',
        'sm2d.sig',
        '-pkeyopt',
        `distid:${DEFAULT_ID}`,
      ]).toString(),
    ).toContain('Signature Verified Successfully');
    expect(
      (await kms(session, 'verify', { key_id: keyId, signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW', message: b64(msg), signature })).signature_valid,
    ).toBe('true');
    await expectCode(kms(session, 'sign', { key_id: keyId, signing_algorithm: 'SM2DSA_SM3', message: b64(Buffer.alloc(31)) }), 'KMS.0308');
  });

  it("with an openssl key: openssl's signatures verify, and SM2_ENCRYPT ciphertexts open on either side", async () => {
    ossl(['genpkey', '-algorithm', 'SM2', '-out', 'sm2-out.pem']);
    ossl(['pkcs8', '-topk8', '-nocrypt', '-in', 'sm2-out.pem', '-outform', 'DER', '-out', 'sm2-out.der']);
    ossl(['pkey', '-in', 'sm2-out.pem', '-pubout', '-out', 'sm2-out.pub.pem']);
    const der = readFileSync(join(dir, 'sm2-out.der'));
    const signer = await putKeyPair(session, 'SM2', 'sm2', der);
    expect((await kms(session, 'get-publickey', { key_id: signer })).public_key.replace(/\s+/g, '')).toBe(
      readFileSync(join(dir, 'sm2-out.pub.pem'), 'utf8').replace(/\s+/g, ''),
    );
    file('sm2o.msg', 'signed by openssl');
    ossl(['pkeyutl', '-sign', '-inkey', 'sm2-out.pem', '-rawin', '-digest', 'sm3', '-in', 'sm2o.msg', '-out', 'sm2o.sig', '-pkeyopt', `distid:${DEFAULT_ID}`]);
    const sig = readFileSync(join(dir, 'sm2o.sig')).toString('base64');
    const v = (message: string) =>
      kms(session, 'verify', { key_id: signer, signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW', message: b64(message), signature: sig });
    expect((await v('signed by openssl')).signature_valid).toBe('true');
    expect((await v('signed by openssl!')).signature_valid).toBe('false');

    const enc = await putKeyPair(session, 'SM2', 'sm2', der, 'ENCRYPT_DECRYPT');
    const { cipher_text } = await kms(session, 'encrypt-data', { key_id: enc, encryption_algorithm: 'SM2_ENCRYPT', plain_text: 'db password 42' });
    file('sm2.ct', Buffer.from(cipher_text, 'base64'));
    expect(ossl(['pkeyutl', '-decrypt', '-inkey', 'sm2-out.pem', '-in', 'sm2.ct']).toString()).toBe('db password 42');
    file('sm2o.pt', 'from openssl');
    ossl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'sm2-out.pub.pem', '-in', 'sm2o.pt', '-out', 'sm2o.ct']);
    const ct = readFileSync(join(dir, 'sm2o.ct'));
    const d = await kms(session, 'decrypt-data', { key_id: enc, encryption_algorithm: 'SM2_ENCRYPT', cipher_text: ct.toString('base64') });
    expect(d.plain_text).toBe('from openssl');
    ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 1;
    await expectCode(kms(session, 'decrypt-data', { key_id: enc, encryption_algorithm: 'SM2_ENCRYPT', cipher_text: ct.toString('base64') }), 'KMS.2201');
  });

  it('refuses what the spec does not offer with KMS.0308', async () => {
    const signer = await createKey(session, 'SM2');
    await expectCode(kms(session, 'encrypt-data', { key_id: signer, encryption_algorithm: 'SM2_ENCRYPT', plain_text: 'x' }), 'KMS.0308');
    await expectCode(kms(session, 'sign', { key_id: signer, signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW', message: b64('x') }), 'KMS.0308');
    const enc = await createKey(session, 'SM2', { key_usage: 'ENCRYPT_DECRYPT' });
    await expectCode(kms(session, 'encrypt-data', { key_id: enc, encryption_algorithm: 'RSAES_OAEP_SHA_256', plain_text: 'x' }), 'KMS.0308');
    await expectCode(kms(session, 'encrypt-data', { key_id: enc, plain_text: 'x' }), 'KMS.0308');
    await expectCode(kms(session, 'create-datakey', { key_id: enc }), 'KMS.0308');
    await expectCode(kms(session, 'enable-key-rotation', { key_id: enc }), 'KMS.0308');
  });
});

describe('SM4', () => {
  /** An SM4 key with known material, imported the way the import guide wraps it (openssl OAEP). */
  async function importedSm4(material: Buffer): Promise<string> {
    const keyId = await createKey(session, 'SM4', { origin: 'external' });
    const p = await kms(session, 'get-parameters-for-import', { key_id: keyId, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
    file('sm4.wrapping.der', Buffer.from(p.public_key, 'base64'));
    const wrapped = ossl(
      ['pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', 'sm4.wrapping.der', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256'],
      material,
    );
    await kms(session, 'import-key-material', { key_id: keyId, import_token: p.import_token, encrypted_key_material: wrapped.toString('base64') });
    return keyId;
  }

  it("encrypt-data is SM4 in GCM: the body is the plaintext frame XOR openssl's SM4-CTR keystream from IV ‖ 00000002", async () => {
    const material = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const keyId = await importedSm4(material);
    const plain = 'a ledger line';
    const raw = Buffer.from((await kms(session, 'encrypt-data', { key_id: keyId, plain_text: plain })).cipher_text, 'base64');
    // docs/ciphertext-format.md: version, algorithm 0x02 (SM4-GCM), key id, version, IV, body, tag.
    expect(raw[0]).toBe(1);
    expect(raw[1]).toBe(2);
    const iv = raw.subarray(22, 34);
    const body = raw.subarray(34, raw.length - 16);
    const framed = Buffer.alloc(Math.max(46, 2 + plain.length));
    framed.writeUInt16BE(plain.length, 0);
    framed.write(plain, 2);
    const counter = Buffer.concat([iv, Buffer.from('00000002', 'hex')]).toString('hex');
    const stream = ossl(['enc', '-sm4-ctr', '-K', material.toString('hex'), '-iv', counter], Buffer.alloc(body.length));
    expect(Buffer.from(body.map((b, i) => b ^ (stream[i] as number)))).toEqual(framed);
    expect((await kms(session, 'decrypt-data', { cipher_text: raw.toString('base64') })).plain_text).toBe(plain);
  });

  it('round trips with AAD, refuses another AAD, a flipped byte and an AES algorithm byte (KMS.2201)', async () => {
    const keyId = await createKey(session, 'SM4');
    const { cipher_text } = await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'card 4111', additional_authenticated_data: 'order-17' });
    expect((await kms(session, 'decrypt-data', { cipher_text, additional_authenticated_data: 'order-17' })).plain_text).toBe('card 4111');
    await expectCode(kms(session, 'decrypt-data', { cipher_text, additional_authenticated_data: 'order-18' }), 'KMS.2201');
    const raw = Buffer.from(cipher_text, 'base64');
    const flipped = Buffer.from(raw);
    flipped[40] = (flipped[40] as number) ^ 1;
    await expectCode(kms(session, 'decrypt-data', { cipher_text: flipped.toString('base64'), additional_authenticated_data: 'order-17' }), 'KMS.2201');
    const relabelled = Buffer.from(raw);
    relabelled[1] = 1;
    const e = await expectCode(
      kms(session, 'decrypt-data', { cipher_text: relabelled.toString('base64'), additional_authenticated_data: 'order-17' }),
      'KMS.2201',
    );
    expect(e.message).toContain('algorithm');
  });

  it('data keys: create/decrypt round trip, encrypt-datakey takes hex(DEK ‖ SM3(DEK)) and datakey_dgst is SM3 (both by openssl)', async () => {
    const keyId = await createKey(session, 'SM4');
    const dk = await kms(session, 'create-datakey', { key_id: keyId, key_spec: 'SM4' });
    expect(dk.plain_text).toMatch(/^[0-9a-f]{32}$/);
    const back = await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: dk.cipher_text, datakey_cipher_length: '16' });
    expect(back.data_key).toBe(dk.plain_text);
    expect(back.datakey_dgst).toBe(ossl(['dgst', '-sm3', '-r'], Buffer.from(dk.plain_text, 'hex')).toString().slice(0, 64));
    const dek = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const sm3 = ossl(['dgst', '-sm3', '-binary'], dek);
    const enc = await kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: Buffer.concat([dek, sm3]).toString('hex'), datakey_plain_length: '16' });
    expect((await kms(session, 'decrypt-datakey', { key_id: keyId, cipher_text: enc.cipher_text, datakey_cipher_length: '16' })).data_key).toBe(
      dek.toString('hex'),
    );
    const sha = ossl(['dgst', '-sha256', '-binary'], dek);
    const e = await expectCode(
      kms(session, 'encrypt-datakey', { key_id: keyId, plain_text: Buffer.concat([dek, sha]).toString('hex'), datakey_plain_length: '16' }),
      'KMS.2103',
    );
    expect(e.message).toContain('SM3');
  });

  it('rotates: a new version encrypts, the old ciphertext still decrypts', async () => {
    const keyId = await createKey(session, 'SM4');
    const old = (await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'before' })).cipher_text;
    await kms(session, 'rotate-on-demand', { key_id: keyId });
    const now = Buffer.from((await kms(session, 'encrypt-data', { key_id: keyId, plain_text: 'after' })).cipher_text, 'base64');
    expect(now.readUInt32BE(18)).toBe(2);
    expect((await kms(session, 'decrypt-data', { cipher_text: old })).plain_text).toBe('before');
    expect((await kms(session, 'decrypt-data', { cipher_text: now.toString('base64') })).plain_text).toBe('after');
  });

  it("an SM4 CMK wraps an envelope file's data key (SM4-GCM) and unwraps it; SM2/Ed25519 keys make no file signatures (KMS.0308)", async () => {
    const keyId = await createKey(session, 'SM4');
    file('plain.txt', 'a file for an SM4 key');
    await session.call('file', 'encrypt', { key_id: keyId, in: join(dir, 'plain.txt'), out: join(dir, 'plain.kh') }, 'cli');
    await session.call('file', 'decrypt', { in: join(dir, 'plain.kh'), out: join(dir, 'plain.out') }, 'cli');
    expect(readFileSync(join(dir, 'plain.out'), 'utf8')).toBe('a file for an SM4 key');
    for (const spec of ['SM2', 'ED25519'] as const) {
      const signer = await createKey(session, spec);
      const e = await expectCode(
        session.call('file', 'sign', { key_id: signer, in: join(dir, 'plain.txt'), out: join(dir, `plain.${spec}.sig`) }, 'cli'),
        'KMS.0308',
      );
      expect(e.message).toContain('RSA or ECDSA');
    }
  });

  it('refuses signing, MACs, other usages and get-publickey (KMS.0308)', async () => {
    const keyId = await createKey(session, 'SM4');
    await expectCode(kms(session, 'sign', { key_id: keyId, signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW', message: b64('x') }), 'KMS.0308');
    await expectCode(kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: 'HMAC_SM3', message: b64('x') }), 'KMS.0308');
    await expectCode(kms(session, 'get-publickey', { key_id: keyId }), 'KMS.0308');
    await expectCode(createKey(session, 'SM4', { key_usage: 'SIGN_VERIFY' }), 'KMS.0308');
    await expectCode(kms(session, 'encrypt-data', { key_id: keyId, encryption_algorithm: 'SM2_ENCRYPT', plain_text: 'x' }), 'KMS.0308');
  });
});

describe('HMAC_SM3', () => {
  it("generate-mac equals openssl's HMAC-SM3 of imported material; verify-mac agrees; other algorithms are KMS.0308", async () => {
    const material = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const keyId = await createKey(session, 'HMAC_SM3', { origin: 'external' });
    const p = await kms(session, 'get-parameters-for-import', { key_id: keyId, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
    file('hm.wrapping.der', Buffer.from(p.public_key, 'base64'));
    const wrapped = ossl(
      ['pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', 'hm.wrapping.der', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256'],
      material,
    );
    await kms(session, 'import-key-material', { key_id: keyId, import_token: p.import_token, encrypted_key_material: wrapped.toString('base64') });
    const message = Buffer.from('payload to authenticate');
    const { mac } = await kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: 'HMAC_SM3', message: b64(message) });
    const expected = ossl(['mac', '-digest', 'SM3', '-macopt', `hexkey:${material.toString('hex')}`, 'HMAC'], message)
      .toString()
      .trim()
      .toLowerCase();
    expect(mac).toBe(expected);
    expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm: 'HMAC_SM3', message: b64(message), mac })).mac_valid).toBe(true);
    expect((await kms(session, 'verify-mac', { key_id: keyId, mac_algorithm: 'HMAC_SM3', message: b64('payload to authenticatE'), mac })).mac_valid).toBe(
      false,
    );
    await expectCode(kms(session, 'generate-mac', { key_id: keyId, mac_algorithm: 'HMAC_SHA_256', message: b64(message) }), 'KMS.0308');
    const made = await createKey(session, 'HMAC_SM3');
    expect((await kms(session, 'generate-mac', { key_id: made, mac_algorithm: 'HMAC_SM3', message: b64(message) })).mac).toMatch(/^[0-9a-f]{64}$/);
    await expectCode(kms(session, 'enable-key-rotation', { key_id: made }), 'KMS.0308');
  });
});
