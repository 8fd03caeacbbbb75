/** Signatures, public-key export and MACs (reference §4.3 sign/verify, generate-mac/verify-mac). */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { MAC_ALGORITHMS, SIGNING_ALGORITHMS } from '../../constants.js';
import { base64, keyId, kmsValidation, KMS_VALIDATION, sequence } from './common.js';

/** base64 of 1-4096 raw bytes. */
const message = base64(4, 5464);
const signInput = {
  key_id: keyId,
  message,
  signing_algorithm: z.enum(SIGNING_ALGORITHMS),
  message_type: z.enum(['DIGEST', 'RAW']).default('DIGEST'),
  sequence,
};

export const asymmetricOperations = {
  sign: defineOp({
    service: 'kms',
    name: 'sign',
    summary: 'Sign a message (RAW) or its digest (DIGEST, the default) with an RSA or EC key; message and signature are base64.',
    input: z.object(signInput),
    output: out<{ key_id: string; signature: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/sign' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['signing_algorithm', 'message_type'] },
    validation: KMS_VALIDATION,
  }),
  verify: defineOp({
    service: 'kms',
    name: 'verify',
    aliases: ['validate-signature'],
    summary: 'Verify a signature; signature_valid is the string "true" or "false", as in the cloud.',
    input: z.object({ ...signInput, signature: base64(4, 1400) }),
    output: out<{ key_id: string; signature_valid: 'true' | 'false' }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/verify' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['signing_algorithm', 'message_type'] },
    validation: KMS_VALIDATION,
  }),
  getPublickey: defineOp({
    service: 'kms',
    name: 'get-publickey',
    aliases: ['show-public-key'],
    summary: 'The public key of an RSA or EC key as PEM (SubjectPublicKeyInfo).',
    input: z.object({ key_id: keyId, sequence }),
    output: out<{ key_id: string; public_key: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/get-publickey' },
    mutates: false,
    audit: { keyIdField: 'key_id' },
    validation: KMS_VALIDATION,
  }),
  generateMac: defineOp({
    service: 'kms',
    name: 'generate-mac',
    summary: 'HMAC of a message (base64) with an HMAC key; mac is hex.',
    input: z.object({ key_id: keyId, mac_algorithm: z.enum(MAC_ALGORITHMS), message, sequence }),
    output: out<{ key_id: string; mac_algorithm: string; mac: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/generate-mac' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['mac_algorithm'] },
    validation: KMS_VALIDATION,
  }),
  verifyMac: defineOp({
    service: 'kms',
    name: 'verify-mac',
    summary: 'Check an HMAC (hex) in constant time; mac_valid is a boolean, as in the cloud.',
    input: z.object({ key_id: keyId, mac_algorithm: z.enum(MAC_ALGORITHMS), message, mac: z.string().regex(/^[0-9a-fA-F]{2,256}$/, 'must be hex'), sequence }),
    output: out<{ key_id: string; mac_algorithm: string; mac_valid: boolean }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/verify-mac' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['mac_algorithm'] },
    validation: kmsValidation({}),
  }),
} as const;
