// Every KMS operation is audited, and nothing secret reaches the log: plaintexts, messages,
// data keys, MACs, signatures, import tokens and wrapped material stay out of every entry,
// for successful and failed calls alike.
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { createKey, expectCode, kms } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

it('audits each call with safe fields only', async () => {
  const { session } = await newSession();
  const aes = await createKey(session);
  const hmac = await createKey(session, 'HMAC_256');
  const ec = await createKey(session, 'EC_P256');
  const ext = await createKey(session, 'AES_256', { origin: 'external' });
  const secrets: string[] = [];
  const keep = (...s: string[]) => secrets.push(...s);

  const plain = `plain-${randomBytes(8).toString('hex')}`;
  keep(plain, Buffer.from(plain).toString('base64'));
  keep((await kms(session, 'encrypt-data', { key_id: aes, plain_text: plain })).cipher_text);
  const dk = await kms(session, 'create-datakey', { key_id: aes });
  keep(dk.plain_text, dk.cipher_text);
  const dek = randomBytes(32);
  keep(dek.toString('hex'));
  await kms(session, 'encrypt-datakey', {
    key_id: aes,
    plain_text: Buffer.concat([dek, createHash('sha256').update(dek).digest()]).toString('hex'),
    datakey_plain_length: '32',
  });
  const message = Buffer.from(`message-${randomBytes(8).toString('hex')}`).toString('base64');
  keep(message, (await kms(session, 'generate-mac', { key_id: hmac, mac_algorithm: 'HMAC_SHA_256', message })).mac);
  keep((await kms(session, 'sign', { key_id: ec, signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW', message })).signature);
  keep((await kms(session, 'gen-random', { random_data_length: '256' })).random_data);
  const p = await kms(session, 'get-parameters-for-import', { key_id: ext });
  const material = randomBytes(32);
  const wrapped = publicEncrypt(
    {
      key: createPublicKey({ key: Buffer.from(p.public_key, 'base64'), format: 'der', type: 'spki' }),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    },
    material,
  ).toString('base64');
  keep(p.import_token, wrapped, material.toString('hex'));
  await expectCode(kms(session, 'import-key-material', { key_id: aes, import_token: p.import_token, encrypted_key_material: wrapped }), 'KMS.0309');
  await kms(session, 'import-key-material', { key_id: ext, import_token: p.import_token, encrypted_key_material: wrapped });

  const entries = session.vault.db
    .prepare<[], { entry: string }>('SELECT entry FROM audit')
    .all()
    .map((r) => r.entry);
  const log = entries.join('\n');
  for (const s of secrets) expect(log.includes(s), `the audit log holds a secret (${s.slice(0, 12)}…)`).toBe(false);
  const ops = entries.map((e) => JSON.parse(e) as { operation: string; outcome: string; key_id: string | null });
  for (const op of ['encrypt-data', 'create-datakey', 'encrypt-datakey', 'generate-mac', 'sign', 'gen-random', 'get-parameters-for-import']) {
    expect(ops.some((e) => e.operation === `kms ${op}` && e.outcome === 'success')).toBe(true);
  }
  expect(ops.filter((e) => e.operation === 'kms import-key-material').map((e) => [e.key_id, e.outcome])).toEqual([
    [aes, 'KMS.0309'],
    [ext, 'success'],
  ]);
  session.close();
});
