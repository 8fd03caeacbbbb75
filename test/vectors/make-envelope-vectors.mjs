// Makes the envelope vectors of docs/envelope-format.md independently of electron/core/envelope:
// the layout is written out by hand here and sealed with WebCrypto (HKDF, AES-GCM).
// Run: node test/vectors/make-envelope-vectors.mjs  (fixed keys, ids and IVs: output is stable)
import { writeFileSync } from 'node:fs';

const subtle = globalThis.crypto.subtle;
const dir = new URL('./envelope/', import.meta.url);
const CMKS = [
  { key_id: '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab', key_version: 1, key_hex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' },
  { key_id: '0a0b0c0d-1111-4222-8333-444455556666', key_version: 3, key_hex: '1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100' },
];
const DATA_KEY = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf', 'hex');
const MESSAGE_ID = Buffer.from('4d4553534147452d49442d2d2d2d2d31', 'hex');
const FRAME = 256;

const u8 = (n) => Buffer.from([n]);
const u16 = (n) => Buffer.from([(n >>> 8) & 255, n & 255]);
const u32 = (n) => Buffer.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const ivOf = (seq) => Buffer.concat([Buffer.alloc(8), u32(seq)]);

async function gcm(rawKey, iv, plaintext, aad) {
  const key = await subtle.importKey('raw', rawKey, 'AES-GCM', false, ['encrypt']);
  return Buffer.from(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, plaintext));
}

async function hkdf(ikm, salt, info) {
  const key = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return Buffer.from(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: Buffer.from(info, 'latin1') }, key, 256));
}

function canonical(context) {
  const keys = Object.keys(context).sort();
  return keys.length ? JSON.stringify(keys.map((k) => [k, context[k]])) : '';
}

async function envelope({ size, context = {}, cmks = [CMKS[0]] }) {
  const plain = Buffer.alloc(size);
  for (let i = 0; i < size; i++) plain[i] = (i * 7 + 3) & 255;
  const ctx = Buffer.from(canonical(context), 'utf8');
  const binding = Buffer.concat([Buffer.from('KHEF', 'latin1'), u8(1), u8(1), MESSAGE_ID, u32(FRAME), u16(ctx.length), ctx]);
  const keys = [u8(cmks.length)];
  for (const [i, cmk] of cmks.entries()) {
    const wrapIv = Buffer.concat([Buffer.from('wrap-iv-', 'latin1'), u32(i)]);
    const wrapped = Buffer.concat([wrapIv, await gcm(Buffer.from(cmk.key_hex, 'hex'), wrapIv, DATA_KEY, binding)]);
    const entry = Buffer.concat([Buffer.from(cmk.key_id.replace(/-/g, ''), 'hex'), u32(cmk.key_version)]);
    keys.push(u8(0x01), u16(entry.length), entry, u16(wrapped.length), wrapped);
  }
  const authenticated = Buffer.concat([binding, ...keys]);
  const frameKey = await hkdf(DATA_KEY, MESSAGE_ID, 'keyhold envelope v1 frame key');
  const headerTag = await gcm(frameKey, ivOf(0), Buffer.alloc(0), authenticated);
  const out = [authenticated, headerTag];
  let seq = 1;
  let at = 0;
  for (; at + FRAME <= size; at += FRAME, seq++) {
    const aad = Buffer.concat([headerTag, u32(seq), u8(0), u32(FRAME)]);
    out.push(u32(seq), await gcm(frameKey, ivOf(seq), plain.subarray(at, at + FRAME), aad));
  }
  const last = plain.subarray(at);
  const aad = Buffer.concat([headerTag, u32(seq), u8(1), u32(last.length)]);
  out.push(u32(0xffffffff), u32(seq), u32(last.length), await gcm(frameKey, ivOf(seq), last, aad));
  return { plain, bytes: Buffer.concat(out), headerLength: authenticated.length + 16 };
}

const vectors = {};
const good = async (name, spec, extra = {}) => {
  const e = await envelope(spec);
  vectors[name] = { cmks: spec.cmks ?? [CMKS[0]], plain_hex: e.plain.toString('hex'), envelope_b64: e.bytes.toString('base64'), ...extra };
  return e;
};
await good('good_empty', { size: 0 });
await good('good_one_byte_context', { size: 1, context: { purpose: 'backup', tenant: 'a' } }, { encryption_context: { tenant: 'a', purpose: 'backup' } });
await good('good_exact_two_frames', { size: 2 * FRAME });
const three = await good('good_three_frames_two_keys', { size: 2 * FRAME + 100, cmks: CMKS });
await good('good_second_key_only', { size: 300, cmks: [CMKS[1]] });

// Fail vectors: edits of the three-frame envelope (frames 1 and 2 are 276 bytes each).
const { bytes, headerLength: h } = three;
const frame = (i) => bytes.subarray(h + i * 276, h + (i + 1) * 276);
const final = bytes.subarray(h + 2 * 276);
const fail = (name, buf, code, extra = {}) => {
  vectors[name] = { cmks: CMKS, envelope_b64: buf.toString('base64'), expect_error: code, ...extra };
};
const flipped = (at) => {
  const c = Buffer.from(bytes);
  c[at] ^= 0x80;
  return c;
};
fail('fail_truncated_final_removed', bytes.subarray(0, h + 2 * 276), 'FILE.0201');
fail('fail_truncated_mid_frame', bytes.subarray(0, h + 300), 'FILE.0201');
fail('fail_frames_swapped', Buffer.concat([bytes.subarray(0, h), frame(1), frame(0), final]), 'FILE.0202');
fail('fail_frame_duplicated', Buffer.concat([bytes.subarray(0, h), frame(0), frame(0), frame(1), final]), 'FILE.0203');
fail('fail_frame_bit_flip', flipped(h + 276 + 100), 'FILE.0204');
fail('fail_trailing_data', Buffer.concat([bytes, Buffer.from([0])]), 'FILE.0205');
fail('fail_header_message_id_flip', flipped(6), 'FILE.0105');
fail('fail_header_tag_flip', flipped(h - 1), 'FILE.0105');
fail('fail_wrong_context', (await envelope({ size: 10, context: { tenant: 'a' } })).bytes, 'FILE.0106', { encryption_context: { tenant: 'b' } });
fail('fail_bad_magic', Buffer.concat([Buffer.from('KHEG'), bytes.subarray(4)]), 'FILE.0101');
fail('fail_frame_size_4gib', Buffer.concat([bytes.subarray(0, 22), u32(0xffffffff), bytes.subarray(26)]), 'FILE.0103');

for (const [name, v] of Object.entries(vectors)) writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(v, null, 2)}\n`);
console.log(`wrote ${Object.keys(vectors).length} vectors`);
