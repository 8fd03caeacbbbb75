/** `file` operations: envelope encryption (pipeline.ts) under local CMKs, file signatures. */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { fileOperations } from '../../../shared/operations/file.js';
import type { KmsContext } from '../kms/context.js';
import { localCmkKeyring, localVaultResolver } from './keyrings.js';
import { decryptFile, encryptFile, type StreamHooks } from './pipeline.js';

/** The KMS context plus what the transport passes for long jobs (a progress bar, Ctrl-C). */
export interface FileContext extends KmsContext {
  hooks?: StreamHooks;
}

export const fileHandlers: Handlers<typeof fileOperations, FileContext> = {
  async fileEncrypt(ctx, input) {
    const keyIds = [input.key_id, ...(input.additional_key_ids ?? [])];
    if (new Set(keyIds).size !== keyIds.length) {
      throw new KeyholdError(LocalErrors.BadArgument, 'Invalid parameter additional_key_ids: each key may appear once (key_id included).', 400);
    }
    const r = await encryptFile(input.in, input.out, {
      keyrings: keyIds.map((id) => localCmkKeyring(ctx, id)),
      context: input.encryption_context ?? {},
      frameSize: input.frame_size,
      hooks: ctx.hooks,
    });
    return { key_id: input.key_id, bytes_in: r.bytesIn, bytes_out: r.bytesOut };
  },

  async fileDecrypt(ctx, input) {
    const r = await decryptFile(input.in, input.out, { resolvers: [localVaultResolver(ctx)], context: input.encryption_context, hooks: ctx.hooks });
    return { key_id: r.dataKey.entry.keyId, bytes_out: r.bytesOut };
  },
};
