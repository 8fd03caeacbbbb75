// Makes the small-data ciphertext vectors of docs/ciphertext-format.md independently of
// electron/core/kms: the layout is written out by hand here and sealed with WebCrypto.
// Run: node test/vectors/make-ciphertext-vectors.mjs  (fixed keys and IVs: output is stable)
import { writeFileSync } from 'node:fs';

const subtle = globalThis.crypto.subtle;
const dir = new URL('./ciphertext/', import.meta.url);
const keyHex = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const keyId = '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab';
const u32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

async function seal({ plaintext, version = 1, ivHex, aad = '', context }) {
  const iv = Buffer.from(ivHex, 'hex');
  const header = Buffer.from([0x01, 0x01, ...Buffer.from(keyId.replace(/-/g, ''), 'hex'), ...u32(version), ...iv]);
  const a = Buffer.from(aad, 'utf8');
  const c = Buffer.from(context ? JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])) : '', 'utf8');
  const fullAad = Buffer.concat([header, Buffer.from(u32(a.length)), a, Buffer.from(u32(c.length)), c]);
  const data = Buffer.from(plaintext, 'utf8');
  const framed = Buffer.alloc(Math.max(46, 2 + data.length));
  framed.writeUInt16BE(data.length, 0);
  data.copy(framed, 2);
  const key = await subtle.importKey('raw', Buffer.from(keyHex, 'hex'), 'AES-GCM', false, ['encrypt']);
  const sealed = Buffer.from(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: fullAad, tagLength: 128 }, key, framed));
  return Buffer.concat([header, sealed]).toString('base64');
}

const common = { key_hex: keyHex, key_id: keyId, key_version: 1 };
const vectors = {
  good_hello: { ...common, plain_text: 'hello', cipher_text: await seal({ plaintext: 'hello', ivHex: '000000000000000000000001' }) },
  good_pad_boundary_44: { ...common, plain_text: 'x'.repeat(44), cipher_text: await seal({ plaintext: 'x'.repeat(44), ivHex: '000000000000000000000002' }) },
  good_unicode_with_aad: {
    ...common,
    plain_text: 'grüße 🔑',
    additional_authenticated_data: 'order-42',
    cipher_text: await seal({ plaintext: 'grüße 🔑', ivHex: '000000000000000000000003', aad: 'order-42' }),
  },
  good_context: {
    ...common,
    plain_text: 'ctx',
    encryption_context: { b: '2', a: '1' },
    cipher_text: await seal({ plaintext: 'ctx', ivHex: '000000000000000000000004', context: { a: '1', b: '2' } }),
  },
};
const hello = Buffer.from(vectors.good_hello.cipher_text, 'base64');
const flipped = Buffer.from(hello);
flipped[40] ^= 1;
const otherVersion = Buffer.from(hello);
otherVersion[21] = 9;
Object.assign(vectors, {
  fail_bit_flip: { ...common, expect_error: 'KMS.2201', expect_reason: 'wrap.does-not-authenticate', cipher_text: flipped.toString('base64') },
  fail_wrong_aad: { ...common, expect_error: 'KMS.2201', expect_reason: 'wrap.does-not-authenticate', additional_authenticated_data: 'order-43', cipher_text: vectors.good_unicode_with_aad.cipher_text },
  fail_missing_context: { ...common, expect_error: 'KMS.2201', expect_reason: 'wrap.does-not-authenticate', cipher_text: vectors.good_context.cipher_text },
  fail_unknown_version: { ...common, expect_error: 'KMS.2201', expect_reason: 'wrap.missing-version', cipher_text: otherVersion.toString('base64') },
  fail_truncated: { ...common, expect_error: 'KMS.2201', expect_reason: 'ciphertext.malformed', cipher_text: hello.subarray(0, 95).toString('base64') + 'AAAA' },
});
for (const [name, v] of Object.entries(vectors)) writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(v, null, 2)}\n`);
console.log(`wrote ${Object.keys(vectors).length} vectors`);
