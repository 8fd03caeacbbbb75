/**
 * `file` operations: envelope encryption of local files and detached file signatures
 * (DESIGN §6, §8). Local only: they read and write files by path, so they have no route and are
 * never offered over HTTP. Formats: docs/envelope-format.md, docs/file-signature.md.
 */
import { z } from 'zod';
import { defineOp, out, type ValidationCodes } from './define.js';
import { SIGNING_ALGORITHMS } from '../constants.js';

/** Codes of the envelope and signature formats; each condition has its own (docs/envelope-format.md). */
export const FileErrors = {
  /** No KHEF magic: not a Keyhold envelope at all. */
  NotEnvelope: 'FILE.0101',
  /** A known envelope, but a version or algorithm suite this Keyhold does not implement. */
  Unsupported: 'FILE.0102',
  /** A stored parameter outside its bounds (frame size, number of data keys, context size). */
  HeaderOutOfBounds: 'FILE.0103',
  /** A header field that cannot be parsed (bad context encoding, unknown keyring type). */
  HeaderMalformed: 'FILE.0104',
  /** The header (or an encrypted data key in it) does not authenticate: it was edited. */
  HeaderTampered: 'FILE.0105',
  /** The encryption context given to decrypt differs from the one the file was made with. */
  WrongContext: 'FILE.0106',
  /** None of the file's data keys names a key this vault holds. */
  NoUsableKey: 'FILE.0107',
  /** The file ends before its final frame (cut at a frame boundary, inside a frame, or in the header). */
  Truncated: 'FILE.0201',
  /** A frame appears before its turn: frames were reordered or one was removed. */
  FrameOutOfOrder: 'FILE.0202',
  /** A frame appears a second time. */
  FrameDuplicated: 'FILE.0203',
  /** A frame in its place does not authenticate: its bytes were edited. */
  FrameTampered: 'FILE.0204',
  /** Bytes follow the final frame. */
  TrailingData: 'FILE.0205',
  /** The caller cancelled; nothing was left at the output path. */
  Cancelled: 'FILE.0301',
  /** The input cannot be read or the output cannot be written. */
  FileAccess: 'FILE.0302',
  /** The output file exists and --force was not given (file encrypt). */
  OutputExists: 'FILE.0303',
  /** A signature record that cannot be parsed, or a public key file that is not a PEM key. */
  SignatureMalformed: 'FILE.0401',
} as const;

const FILE_VALIDATION: ValidationCodes = { missing: 'CLI.0002', invalid: 'CLI.0002', fields: { key_id: 'KMS.0205', additional_key_ids: 'KMS.0205' } };

const keyId = z.string().regex(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/, 'must be a 36-character key id');
const path = (what: string) => z.string().min(1).max(4096).describe(what);
/** The same bounds the envelope header enforces on read (8192 bytes of canonical JSON). */
const encryptionContext = z
  .record(z.string(), z.string())
  .refine((o) => JSON.stringify(o).length <= 8192, 'must be at most 8192 characters')
  .optional()
  .describe('JSON object of string pairs, bound to the file; decrypt must give the same one (or none)');

export const fileOperations = {
  fileEncrypt: defineOp({
    service: 'file',
    name: 'encrypt',
    summary: 'Envelope-encrypt a file under one or more CMKs (any one of them decrypts it).',
    input: z.object({
      key_id: keyId,
      additional_key_ids: z.array(keyId).max(15).optional().describe('JSON array of further CMK ids that can each decrypt the file'),
      remote_keys: z
        .array(z.object({ remote: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must name a configured remote'), key_id: keyId }))
        .max(15)
        .optional()
        .describe('JSON array of {"remote","key_id"}: keys of remote KMSs that can each decrypt the file'),
      in: path('file to encrypt'),
      out: path('envelope file to write (an existing file is refused unless --force)'),
      force: z.boolean().optional().describe('replace the out file if it exists'),
      encryption_context: encryptionContext,
      frame_size: z
        .number()
        .int()
        .min(256)
        .max(16 * 1024 * 1024)
        .optional()
        .describe('plaintext bytes per frame (default 256 KiB)'),
    }),
    output: out<{ key_id: string; bytes_in: number; bytes_out: number }>(),
    mutates: false,
    localFiles: true,
    audit: { keyIdField: 'key_id', record: ['in', 'out', 'additional_key_ids', 'remote_keys', 'frame_size'] },
    validation: FILE_VALIDATION,
  }),
  fileDecrypt: defineOp({
    service: 'file',
    name: 'decrypt',
    summary: 'Decrypt an envelope file; nothing unverified is ever left at the output path.',
    input: z.object({
      in: path('envelope file to decrypt'),
      out: path('file to write the plaintext to (appears only once every frame verified)'),
      encryption_context: encryptionContext,
    }),
    output: out<{ key_id: string; bytes_out: number }>(),
    mutates: false,
    localFiles: true,
    audit: { record: ['in', 'out'] },
    validation: FILE_VALIDATION,
  }),
  fileSign: defineOp({
    service: 'file',
    name: 'sign',
    summary: 'Hash a file as a stream and sign the digest with an asymmetric CMK (DIGEST mode); writes a signature record.',
    input: z.object({
      key_id: keyId,
      in: path('file to sign'),
      out: path('signature record to write'),
      signing_algorithm: z.enum(SIGNING_ALGORITHMS).optional().describe('default: RSASSA_PSS_SHA_256 for RSA keys, ECDSA_SHA_256 for EC keys'),
    }),
    output: out<{ key_id: string; signing_algorithm: string; digest: string }>(),
    mutates: false,
    localFiles: true,
    audit: { keyIdField: 'key_id', record: ['in', 'out', 'signing_algorithm'] },
    validation: FILE_VALIDATION,
  }),
  fileVerify: defineOp({
    service: 'file',
    name: 'verify',
    summary: 'Check a file against its signature record, with the vault or offline with --public-key PEM.',
    input: z.object({
      in: path('file that was signed'),
      signature: path('signature record'),
      public_key: path('PEM public key file: verify offline, without the key in the vault').optional(),
    }),
    output: out<{ signature_valid: boolean }>(),
    mutates: false,
    localFiles: true,
    offline: (input) => input.public_key !== undefined,
    audit: { record: ['in', 'signature'] },
    validation: FILE_VALIDATION,
  }),
} as const;
