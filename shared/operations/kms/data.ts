/** Small-data encryption and data keys (reference §4.3): encrypt-data, decrypt-data, DEKs, random. */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { ENCRYPTION_ALGORITHMS } from '../../constants.js';
import { utf8AtMost } from '../../text.js';
import { aad, base64, charsOf, encryptionContext, keyId, kmsValidation, numericString, sequence } from './common.js';

const hex = (min: number, max: number) => charsOf('0-9a-fA-F', min, max, `must be ${min}-${max} hex characters`);
/** A DEK length in bits, as a string: a multiple of 8 from 8 to 8192. */
const bits = numericString(8, 8192, 'a number of bits').refine((s) => Number(s) % 8 === 0, 'must be a multiple of 8');
/** A DEK length in bytes, as a string (1-1024). */
const dekBytes = numericString(1, 1024, 'a number of bytes');
const DATAKEY_SPECS = ['AES_256', 'AES_128', 'SM4', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'HMAC_SM3'] as const;

const createDatakeyInput = z.object({
  key_id: keyId,
  key_spec: z.enum(DATAKEY_SPECS).optional(),
  datakey_length: bits.optional(),
  additional_authenticated_data: aad,
  encryption_context: encryptionContext,
  sequence,
});

export const dataOperations = {
  encryptData: defineOp({
    service: 'kms',
    name: 'encrypt-data',
    summary: 'Encrypt up to 4096 bytes of text under a CMK (AES, SM4: SYMMETRIC_DEFAULT; RSA: RSAES_OAEP_SHA_256 / RSAES_OAEP_SHA_1; SM2: SM2_ENCRYPT).',
    input: z.object({
      key_id: keyId,
      plain_text: z.string().refine((s) => s.length > 0 && utf8AtMost(s, 4096), 'must be 1-4096 bytes once UTF-8 encoded'),
      encryption_algorithm: z.enum(ENCRYPTION_ALGORITHMS).default('SYMMETRIC_DEFAULT'),
      additional_authenticated_data: aad,
      encryption_context: encryptionContext,
      sequence,
    }),
    output: out<{ key_id: string; cipher_text: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/encrypt-data' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['encryption_algorithm'] },
    validation: kmsValidation({ plain_text: 'KMS.2101' }),
  }),
  decryptData: defineOp({
    service: 'kms',
    name: 'decrypt-data',
    summary: 'Decrypt a ciphertext from encrypt-data; a symmetric ciphertext names its key, an RSA one needs key_id and encryption_algorithm.',
    input: z.object({
      cipher_text: base64(128, 5648),
      encryption_algorithm: z.enum(ENCRYPTION_ALGORITHMS).default('SYMMETRIC_DEFAULT'),
      key_id: keyId.optional(),
      additional_authenticated_data: aad,
      encryption_context: encryptionContext,
      sequence,
    }),
    output: out<{ key_id: string; plain_text: string; plain_text_base64: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/decrypt-data' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['encryption_algorithm'] },
    validation: kmsValidation({ cipher_text: 'KMS.2201' }),
  }),
  createDatakey: defineOp({
    service: 'kms',
    name: 'create-datakey',
    summary:
      'Create a data encryption key: its plaintext (hex) and its ciphertext under the CMK (hex). datakey_length (bits) wins over key_spec; default 256 bits.',
    input: createDatakeyInput,
    output: out<{ key_id: string; plain_text: string; cipher_text: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/create-datakey' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['key_spec', 'datakey_length'] },
    validation: kmsValidation({ datakey_length: 'KMS.1901', key_spec: 'KMS.1901' }),
  }),
  createDatakeyWithoutPlaintext: defineOp({
    service: 'kms',
    name: 'create-datakey-without-plaintext',
    summary: 'Create a data encryption key and return only its ciphertext (hex).',
    input: createDatakeyInput,
    output: out<{ key_id: string; cipher_text: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/create-datakey-without-plaintext' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['key_spec', 'datakey_length'] },
    validation: kmsValidation({ datakey_length: 'KMS.2001', key_spec: 'KMS.2001' }),
  }),
  encryptDatakey: defineOp({
    service: 'kms',
    name: 'encrypt-datakey',
    summary: 'Encrypt a data key: plain_text = hex(DEK ‖ SHA-256(DEK)), datakey_plain_length = DEK bytes.',
    input: z.object({
      key_id: keyId,
      plain_text: hex(66, 2112),
      datakey_plain_length: dekBytes,
      additional_authenticated_data: aad,
      encryption_context: encryptionContext,
      sequence,
    }),
    output: out<{ key_id: string; cipher_text: string; datakey_length: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/encrypt-datakey' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['datakey_plain_length'] },
    validation: kmsValidation({ plain_text: 'KMS.2101', datakey_plain_length: 'KMS.2102' }),
  }),
  decryptDatakey: defineOp({
    service: 'kms',
    name: 'decrypt-datakey',
    summary: 'Decrypt a data key: returns data_key (hex), datakey_length (bytes) and datakey_dgst (hex SHA-256 of the DEK).',
    input: z.object({
      key_id: keyId,
      cipher_text: hex(8, 8192),
      datakey_cipher_length: dekBytes,
      additional_authenticated_data: aad,
      encryption_context: encryptionContext,
      sequence,
    }),
    output: out<{ data_key: string; datakey_length: string; datakey_dgst: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/decrypt-datakey' },
    mutates: false,
    audit: { keyIdField: 'key_id', record: ['datakey_cipher_length'] },
    validation: kmsValidation({ cipher_text: 'KMS.2201', datakey_cipher_length: 'KMS.2202' }),
  }),
  genRandom: defineOp({
    service: 'kms',
    name: 'gen-random',
    aliases: ['create-random'],
    summary: 'Random bytes from the CSPRNG: random_data_length bits (8-8192, a multiple of 8), returned as hex.',
    input: z.object({ random_data_length: bits, sequence }),
    output: out<{ random_data: string }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/kms/gen-random' },
    mutates: false,
    audit: { record: ['random_data_length'] },
    validation: kmsValidation({ random_data_length: 'KMS.1801' }),
  }),
} as const;
