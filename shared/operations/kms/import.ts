/** Bring your own key material (reference §4.3 Key import; the seed's import guide). */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { WRAPPING_ALGORITHMS } from '../../constants.js';
import { base64, keyId, KMS_VALIDATION, kmsValidation, sequence, type Empty } from './common.js';

export const importOperations = {
  getParametersForImport: defineOp({
    service: 'kms',
    name: 'get-parameters-for-import',
    aliases: ['create-parameters-for-import'],
    summary: 'A fresh RSA-2048 wrapping key (base64 DER) and an import token, both valid 24 hours, for a key created with origin external.',
    input: z.object({ key_id: keyId, wrapping_algorithm: z.enum(WRAPPING_ALGORITHMS).default('RSAES_OAEP_SHA_256'), sequence }),
    output: out<{ key_id: string; import_token: string; expiration_time: number; public_key: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/get-parameters-for-import' },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['wrapping_algorithm'] },
    validation: KMS_VALIDATION,
  }),
  importKeyMaterial: defineOp({
    service: 'kms',
    name: 'import-key-material',
    summary:
      'Import wrapped key material with its import token (asymmetric keys: a wrapped temporary key and encrypted_privatekey); optional expiration_time (seconds) after which the key returns to pending import.',
    input: z.object({
      key_id: keyId,
      import_token: base64(200, 6144),
      encrypted_key_material: base64(344, 360),
      encrypted_privatekey: base64(24, 8192)
        .optional()
        .describe(
          'asymmetric keys: the private key (PKCS#8 DER) wrapped with AES key wrap with padding (openssl enc -id-aes256-wrap-pad) under the temporary AES-256 key in encrypted_key_material',
        ),
      expiration_time: z.number().int('must be an integer number of seconds').optional(),
      sequence,
    }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/import-key-material' },
    mutates: true,
    audit: { keyIdField: 'key_id', record: ['expiration_time'] },
    validation: kmsValidation({ import_token: 'KMS.2601', expiration_time: 'KMS.2602' }),
  }),
  deleteImportedKeyMaterial: defineOp({
    service: 'kms',
    name: 'delete-imported-key-material',
    summary: 'Delete imported key material; the key returns to pending import and accepts only the same material again.',
    input: z.object({ key_id: keyId, sequence }),
    output: out<Empty>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/delete-imported-key-material' },
    mutates: true,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
} as const;
