/**
 * Bring your own key material, the cloud's flow: a key created with origin external waits in
 * pending import (5); get-parameters-for-import issues an RSA-2048 wrapping key and a token
 * valid 24 h; the user wraps 32 bytes with openssl pkeyutl/rsautl (for a key pair: a temporary
 * AES key, and the PKCS#8 private key wrapped under it with openssl enc -id-aes256-wrap-pad);
 * import-key-material unwraps it inside the HSM. Deleting the material returns the key to pending import, and only the
 * same material may come back (its keyed fingerprint is kept).
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { importOperations } from '../../../shared/operations/kms.js';
import type { KmsContext } from './context.js';
import { checkToken, issueToken, parseToken, TOKEN_LIFETIME_MS, TOKEN_TABLE, type TokenRecord } from './import-token.js';
import { CMK_TABLE, getKey, STATE, type CmkRecord } from './keys.js';
import { KEY_SPEC_TABLE } from './key-specs.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

/** Precondition: imports go only to external keys (KMS.0309) that are pending import (KMS.0310). */
function requirePendingImport(key: CmkRecord): void {
  if (key.origin !== 'external') throw new KeyholdError(KmsErrors.NotExternal, `The key ${key.key_id} is not an external key (origin ${key.origin}).`, 400);
  if (key.key_state !== STATE.pendingImport)
    throw new KeyholdError(KmsErrors.NotPendingImport, `The key ${key.key_id} is not pending import (state ${key.key_state}).`, 400);
}

function pemToDerBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
}

/**
 * Symmetric specs take the material itself; key pairs take a temporary key and the private key
 * wrapped under it (docs/kms.md, "Bring your own key material"). The wrong shape for the spec is
 * a refusal naming the field, before anything is opened.
 */
function importMaterial(ctx: KmsContext, key: CmkRecord, token: TokenRecord, material: string, privateKey: string | undefined) {
  const spec = KEY_SPEC_TABLE[key.key_spec];
  const wrappingKey = ctx.hsm.unwrap(token.wrapping_key);
  if (spec.symmetric) {
    if (privateKey !== undefined)
      throw new KeyholdError(
        KmsErrors.Invalid,
        `Invalid encrypted_privatekey: ${key.key_spec} keys take their material in encrypted_key_material alone.`,
        400,
        'import.private-key-not-for-spec',
      );
    return ctx.hsm.importWrapped(wrappingKey, token.wrapping_algorithm, Buffer.from(material, 'base64'), spec.hsmKind);
  }
  if (privateKey === undefined) {
    throw new KeyholdError(
      KmsErrors.Missing,
      `Missing parameter encrypted_privatekey: a ${key.key_spec} key imports its private key, wrapped under the temporary key in encrypted_key_material.`,
      400,
    );
  }
  return ctx.hsm.importWrappedPrivateKey(
    wrappingKey,
    token.wrapping_algorithm,
    Buffer.from(material, 'base64'),
    Buffer.from(privateKey, 'base64'),
    spec.hsmKind,
  );
}

export const importHandlers: Handlers<typeof importOperations, KmsContext> = {
  async getParametersForImport(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requirePendingImport(key);
    const wrappingKey = await ctx.hsm.generate('rsa-2048');
    const expires = ctx.now() + TOKEN_LIFETIME_MS;
    const { token, tokenId, digest } = issueToken(key.key_id, expires);
    const record: TokenRecord = {
      token_id: tokenId,
      key_id: key.key_id,
      wrapping_algorithm: input.wrapping_algorithm,
      wrapping_key: wrappingKey,
      expires,
      token_sha256: digest,
    };
    ctx.store.put(TOKEN_TABLE, tokenId, record);
    const publicKey = pemToDerBase64(ctx.hsm.publicKey(ctx.hsm.unwrap(wrappingKey)));
    return { key_id: key.key_id, import_token: token, expiration_time: Math.floor(expires / 1000), public_key: publicKey };
  },

  importKeyMaterial(ctx, input) {
    const key = getKey(ctx, input.key_id);
    requirePendingImport(key);
    const { tokenId, raw } = parseToken(input.import_token, key.key_id);
    const record = checkToken(ctx.store.read<TokenRecord>(TOKEN_TABLE, tokenId), raw, ctx.now());
    const now = ctx.now();
    if (input.expiration_time !== undefined && input.expiration_time * 1000 <= now) {
      throw new KeyholdError(KmsErrors.ExpiryNotFuture, 'Invalid expiration_time: it must be in the future (seconds since the epoch).', 400);
    }
    const { wrapped, fingerprint } = importMaterial(ctx, key, record, input.encrypted_key_material, input.encrypted_privatekey);
    if (key.material_fingerprint && key.material_fingerprint !== fingerprint) {
      throw new KeyholdError(KmsErrors.OtherMaterial, `The key ${key.key_id} had other key material before: a re-import must bring the same material.`, 400);
    }
    const updated: CmkRecord = {
      ...key,
      key_state: STATE.enabled,
      versions: [{ version: 1, material: wrapped, created: now }],
      material_expiration: input.expiration_time === undefined ? null : input.expiration_time * 1000,
      material_fingerprint: fingerprint,
    };
    ctx.store.put(CMK_TABLE, key.key_id, updated);
    ctx.store.delete(TOKEN_TABLE, tokenId);
    return {};
  },

  deleteImportedKeyMaterial(ctx, input) {
    const key = getKey(ctx, input.key_id);
    if (key.origin !== 'external') throw new KeyholdError(KmsErrors.NotExternal, `The key ${key.key_id} is not an external key (origin ${key.origin}).`, 400);
    if (key.key_state !== STATE.enabled && key.key_state !== STATE.disabled) {
      throw new KeyholdError(
        KmsErrors.MaterialStateRefused,
        `Key material can be deleted only when the key is enabled or disabled (state ${key.key_state}).`,
        400,
      );
    }
    ctx.store.put(CMK_TABLE, key.key_id, { ...key, key_state: STATE.pendingImport, versions: [], material_expiration: null });
    return {};
  },
};
