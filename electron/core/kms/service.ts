/** KMS operations: the CMK slice (create, describe, list, enable, disable, encrypt, decrypt). */
import { KeyholdError } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import { kmsOperations } from '../../../shared/operations/kms.js';
import { randomBytes } from '../crypto/random.js';
import { GCM_IV_BYTES } from '../crypto/aead.js';
import { contextAad, decodeCiphertext, encodeHeader, frame, unframe } from './ciphertext.js';
import type { KmsContext } from './context.js';
import { CMK_TABLE, currentVersion, getKey, handleFor, newKey, requireNotDefault, requireUsable, STATE, toKeyDetails, type CmkRecord } from './keys.js';
import { usageFor } from './key-specs.js';

export const kmsHandlers: Handlers<typeof kmsOperations, KmsContext> = {
  async createKey(ctx, input) {
    const key = await newKey(ctx, {
      key_alias: input.key_alias,
      key_spec: input.key_spec,
      key_usage: usageFor(input.key_spec, input.key_usage),
      key_description: input.key_description,
      origin: input.origin,
    });
    return { key_info: { key_id: key.key_id, domain_id: ctx.domain.domain_id } };
  },

  describeKey(ctx, input) {
    return { key_info: toKeyDetails(getKey(ctx, input.key_id), ctx) };
  },

  listKeys(ctx, input) {
    const all = ctx.store
      .list<CmkRecord>(CMK_TABLE)
      .filter((k) => input.key_spec === 'ALL' || k.key_spec === input.key_spec)
      .filter((k) => !input.key_state || k.key_state === input.key_state)
      .sort((a, b) => a.creation_date - b.creation_date || a.key_id.localeCompare(b.key_id));
    const offset = Number(input.marker ?? '0');
    const limit = Number(input.limit ?? '1000');
    const page = all.slice(offset, offset + limit);
    const truncated = offset + page.length < all.length;
    return {
      keys: page.map((k) => k.key_id),
      key_details: page.map((k) => toKeyDetails(k, ctx)),
      next_marker: truncated ? String(offset + page.length) : '',
      truncated: truncated ? 'true' : 'false',
      total: all.length,
    };
  },

  enableKey(ctx, input) {
    const key = getKey(ctx, input.key_id);
    if (key.key_state !== STATE.disabled) throw new KeyholdError('KMS.1201', `The key ${key.key_id} is not disabled (state ${key.key_state}).`, 400);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: STATE.enabled });
    return { key_info: { key_id: key.key_id, key_state: STATE.enabled } };
  },

  disableKey(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireNotDefault(key, 'disabled');
    if (key.key_state !== STATE.enabled) throw new KeyholdError('KMS.1301', `The key ${key.key_id} is not enabled (state ${key.key_state}).`, 400);
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: STATE.disabled });
    return { key_info: { key_id: key.key_id, key_state: STATE.disabled } };
  },

  encryptData(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requireUsable(key);
    if (key.key_usage !== 'ENCRYPT_DECRYPT') throw new KeyholdError('KMS.0308', `The key ${key.key_id} is not for encryption (key_usage ${key.key_usage}).`, 400);
    const version = currentVersion(key);
    const iv = randomBytes(GCM_IV_BYTES);
    const header = encodeHeader({ keyId: key.key_id, keyVersion: version.version, iv });
    const { ciphertext, tag } = ctx.hsm.encrypt(
      handleFor(ctx, version.material),
      iv,
      frame(Buffer.from(input.plain_text, 'utf8')),
      contextAad(header, input.additional_authenticated_data, input.encryption_context),
    );
    return { key_id: key.key_id, cipher_text: Buffer.concat([header, ciphertext, tag]).toString('base64') };
  },

  decryptData(ctx, input) {
    const { header, headerBytes, body, tag } = decodeCiphertext(Buffer.from(input.cipher_text, 'base64'));
    if (input.key_id && input.key_id !== header.keyId) {
      throw new KeyholdError('KMS.2201', `Invalid cipher_text: it was made with key ${header.keyId}, not ${input.key_id}.`, 400);
    }
    const key = getKey(ctx, header.keyId);
    requireUsable(key);
    const version = key.versions.find((v) => v.version === header.keyVersion);
    if (!version) throw new KeyholdError('KMS.2201', `Invalid cipher_text: key ${key.key_id} has no version ${header.keyVersion}.`, 400);
    const framed = ctx.hsm.decrypt(handleFor(ctx, version.material), header.iv, body, tag, contextAad(headerBytes, input.additional_authenticated_data, input.encryption_context));
    if (!framed) {
      throw new KeyholdError('KMS.2201', 'Invalid cipher_text: it does not authenticate (altered, or the additional_authenticated_data / encryption_context differs).', 400);
    }
    const plain = unframe(framed);
    return { key_id: key.key_id, plain_text: plain.toString('utf8'), plain_text_base64: plain.toString('base64') };
  },
};
