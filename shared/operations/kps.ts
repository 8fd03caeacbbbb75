/**
 * KPS (SSH key pairs): the cloud operations with the SDK's names, request bodies and response
 * shapes (reference/huawei-dew-api.md §6, §11.3), and the local operations of DESIGN §8
 * (inspect, convert, windows-password) that read and write key files by path, or take the key
 * file's content instead (`key_text`, `private_key_text`: what the app sends, so that no path ever
 * crosses HTTP, docs/desktop.md).
 */
import { z } from 'zod';
import { defineOp, out, pageLimit, type ValidationCodes } from './define.js';

const KPS_VALIDATION: ValidationCodes = { missing: 'KPS.0001', invalid: 'KPS.0002' };

export const KEY_FILE_FORMATS = ['ppk2', 'ppk3', 'openssh', 'pem', 'pkcs8', 'public-openssh', 'public-rfc4716'] as const;
/** Algorithms create-keypair generates (the console's names); SSH_RSA_2048 is the default. */
export const KEYPAIR_ALGORITHMS = ['SSH_RSA_2048', 'SSH_RSA_3072', 'SSH_RSA_4096', 'SSH_ECDSA_256', 'SSH_ECDSA_384', 'SSH_ECDSA_521', 'SSH_ED25519'] as const;

const keypairName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const encryption = z.object({
  type: z.enum(['default', 'kms']),
  kms_key_name: z.string().max(255).optional(),
  kms_key_id: z.string().max(36).optional(),
});
/** A public key in any text form Keyhold reads (RFC 4716 included); it is normalised to one line. */
const publicKeyText = z
  .string()
  .min(1)
  .max(16 * 1024);
const privateKeyText = z
  .string()
  .min(1)
  .max(64 * 1024);
const passphrase = z.string().max(1024);
/**
 * A key file given by content (pasted or uploaded in the app). Real key files are a few KB (an
 * RSA-16384 PPK is ~12 KB); the bound is the one private keys taken by an import have, and it
 * keeps a call well inside web mode's request limit.
 */
export const MAX_KEY_TEXT_CHARS = 64 * 1024;
const keyFileText = z.string().min(1).max(MAX_KEY_TEXT_CHARS);

const createBody = z.object({
  name: keypairName,
  type: z.enum(['ssh', 'x509']).default('ssh'),
  public_key: publicKeyText.optional(),
  scope: z.enum(['user', 'domain']).default('user'),
  user_id: z.string().max(64).optional(),
  key_protection: z
    .object({
      private_key: privateKeyText.optional(),
      encryption,
      passphrase: passphrase
        .optional()
        .describe('Keyhold extension: passphrase of an encrypted private_key (the vault keeps the key under its CMK, not the passphrase)'),
    })
    .optional(),
  /** Keyhold's choice of generated key (the console's key pair type); ignored when public_key is given. */
  algorithm: z.enum(KEYPAIR_ALGORITHMS).default('SSH_RSA_2048'),
});

export interface InspectResult {
  format: string;
  key_type: string;
  bits: number;
  fingerprint: string;
  md5_fingerprint: string;
  comment: string;
  encrypted: boolean;
  public_key: string;
}

export interface CreatedKeypair {
  name: string;
  type: string;
  public_key: string;
  /** Only for a generated key pair whose private key is not hosted: shown once, never stored. */
  private_key?: string;
  fingerprint: string;
  user_id: string;
}

export interface KeypairDetail {
  name: string;
  id: number;
  type: string;
  scope: string;
  public_key: string;
  fingerprint: string;
  is_key_protection: boolean;
  deleted: boolean;
  description: string;
  user_id: string;
  key_id: string;
  algorithm: string;
  create_time: number;
  delete_time: number;
  update_time: number;
  frozen_state: number;
}

export interface KeypairListItem {
  name: string;
  type: string;
  scope: string;
  public_key: string;
  fingerprint: string;
  is_key_protection: boolean;
  frozen_state: string;
}

const FILE_FIELDS = { passphrase: passphrase.optional().describe('passphrase of the input file (use --passphrase-file)') };

export const kpsOperations = {
  kpsInspect: defineOp({
    service: 'kps',
    name: 'inspect',
    summary: 'Show what a key file holds: format, type, size, fingerprints, comment (any format; detected by content).',
    input: z.object({
      in: z.string().min(1).optional().describe('the key file'),
      key_text: keyFileText.optional().describe("the key file's content instead of a path (what the app sends)"),
      ...FILE_FIELDS,
    }),
    output: out<InspectResult>(),
    mutates: false,
    // Only `in` names a file: with key_text the call is offered over HTTP too (web mode).
    localFileFields: ['in'],
    offline: () => true,
    audit: { record: ['in'] },
    validation: KPS_VALIDATION,
  }),
  kpsConvert: defineOp({
    service: 'kps',
    name: 'convert',
    summary:
      'Convert a key file to another format (ppk2, ppk3, openssh, pem, pkcs8, public-openssh, public-rfc4716); without --out the result is returned as key_text.',
    input: z.object({
      in: z.string().min(1).optional().describe('the key file to read'),
      key_text: keyFileText.optional().describe("the key file's content instead of a path (what the app sends)"),
      to: z.enum(KEY_FILE_FORMATS).describe('the format to write'),
      out: z.string().min(1).optional().describe('the file to write (private keys get mode 0600); without it the converted key is returned as key_text'),
      ...FILE_FIELDS,
      new_passphrase: passphrase.optional().describe("encrypt the output with this passphrase instead of the input's (use --new-passphrase-file)"),
      no_passphrase: z.boolean().optional().describe("write the private key unencrypted (by default it keeps the input's passphrase)"),
      comment: z.string().max(1024).optional().describe("comment for the output (default: the input's)"),
      force: z.boolean().optional().describe('replace the output file if it exists (by default an existing file is refused)'),
    }),
    output: out<InspectResult & { key_text?: string }>(),
    mutates: false,
    localFileFields: ['in', 'out'],
    offline: () => true,
    audit: { record: ['in', 'to', 'out'] },
    validation: KPS_VALIDATION,
  }),
  kpsWindowsPassword: defineOp({
    service: 'kps',
    name: 'windows-password',
    summary: "Decrypt a Windows server's password blob (RSA PKCS#1 v1.5) with a private-key file or a hosted key pair.",
    input: z.object({
      password_blob: z.string().min(1).max(8192).describe('the base64 blob from os-server-password'),
      private_key: z.string().min(1).optional().describe('a private-key file in any format Keyhold reads'),
      private_key_text: keyFileText.optional().describe("a private key's content instead of a path (what the app sends)"),
      ...FILE_FIELDS,
      keypair_name: keypairName.optional().describe('a key pair whose private key Keyhold hosts'),
    }),
    output: out<{ password: string }>(),
    mutates: false,
    localFileFields: ['private_key'],
    offline: (input) => input.keypair_name === undefined,
    audit: { record: ['keypair_name'] },
    validation: KPS_VALIDATION,
  }),
  createKeypair: defineOp({
    service: 'kps',
    name: 'create-keypair',
    summary: 'Create (generate) or import an SSH key pair; a generated private key is returned once unless Keyhold hosts it.',
    input: z.object({ keypair: createBody }),
    output: out<{ keypair: CreatedKeypair }>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs' },
    mutates: true,
    audit: {},
    validation: KPS_VALIDATION,
  }),
  batchImportKeypair: defineOp({
    service: 'kps',
    name: 'batch-import-keypair',
    summary: 'Import up to 10 public keys (the cloud body is a JSON array; here it is the keypairs field).',
    input: z.object({
      keypairs: z
        .array(z.object({ keypair: createBody }))
        .min(1)
        .max(10),
    }),
    output: out<{ succeeded_keypairs: { keypair: CreatedKeypair }[]; failed_keypairs: { keypair_name: string; failed_reason: string }[] }>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs/batch-import' },
    mutates: true,
    audit: {},
    validation: KPS_VALIDATION,
  }),
  listKeypairs: defineOp({
    service: 'kps',
    name: 'list-keypairs',
    summary: 'List key pairs by name; marker is the name of the last key pair of the previous page.',
    input: z.object({ limit: pageLimit(1000), marker: z.string().max(64).optional() }),
    output: out<{ keypairs: { keypair: KeypairListItem }[]; page_info: { next_marker?: string; previous_marker?: string; current_count: number } }>(),
    route: { method: 'GET', path: '/v3/{project_id}/keypairs' },
    mutates: false,
    audit: {},
    validation: KPS_VALIDATION,
  }),
  listKeypairDetail: defineOp({
    service: 'kps',
    name: 'list-keypair-detail',
    summary: 'Show one key pair.',
    input: z.object({ keypair_name: keypairName }),
    output: out<{ keypair: KeypairDetail }>(),
    route: { method: 'GET', path: '/v3/{project_id}/keypairs/{keypair_name}' },
    mutates: false,
    audit: { record: ['keypair_name'] },
    validation: KPS_VALIDATION,
  }),
  updateKeypairDescription: defineOp({
    service: 'kps',
    name: 'update-keypair-description',
    summary: "Change a key pair's description.",
    input: z.object({ keypair_name: keypairName, keypair: z.object({ description: z.string().max(255) }) }),
    output: out<Record<string, never>>(),
    route: { method: 'PUT', path: '/v3/{project_id}/keypairs/{keypair_name}' },
    mutates: true,
    audit: { record: ['keypair_name'] },
    validation: KPS_VALIDATION,
  }),
  deleteKeypair: defineOp({
    service: 'kps',
    name: 'delete-keypair',
    summary: 'Delete a key pair (and its hosted private key).',
    input: z.object({ keypair_name: keypairName }),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: '/v3/{project_id}/keypairs/{keypair_name}', status: 204 },
    mutates: true,
    audit: { record: ['keypair_name'] },
    validation: KPS_VALIDATION,
  }),
  importPrivateKey: defineOp({
    service: 'kps',
    name: 'import-private-key',
    summary: 'Host the private key of an existing key pair, encrypted under kps/default or a chosen CMK.',
    input: z.object({
      keypair: z.object({
        name: keypairName,
        user_id: z.string().max(64).optional(),
        key_protection: z.object({ private_key: privateKeyText, encryption }),
      }),
      passphrase: passphrase.optional().describe('Keyhold extension: passphrase of an encrypted private key'),
    }),
    output: out<{ keypair: { name: string; type: string; public_key: string; fingerprint: string; user_id: string } }>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs/private-key/import' },
    mutates: true,
    audit: {},
    validation: KPS_VALIDATION,
  }),
  exportPrivateKey: defineOp({
    service: 'kps',
    name: 'export-private-key',
    summary: 'Export a hosted private key (PEM by default; or --format, --out FILE, --new-passphrase-file).',
    input: z.object({
      keypair: z.object({ name: keypairName }),
      format: z.enum(KEY_FILE_FORMATS).optional().describe('Keyhold extension: output format (default pem)'),
      out: z.string().min(1).optional().describe('Keyhold extension: write a file (mode 0600) and print its inspect'),
      new_passphrase: passphrase.optional().describe('Keyhold extension: encrypt the exported key'),
      force: z.boolean().optional().describe('Keyhold extension: replace the out file if it exists'),
    }),
    output: out<{ keypair: { name: string; private_key: string } } | InspectResult>(),
    route: { method: 'POST', path: '/v3/{project_id}/keypairs/private-key/export' },
    localFileFields: ['out'],
    mutates: false,
    audit: { record: ['format', 'out'] },
    validation: KPS_VALIDATION,
  }),
  clearPrivateKey: defineOp({
    service: 'kps',
    name: 'clear-private-key',
    summary: 'Delete the hosted private key of a key pair (the public key stays).',
    input: z.object({ keypair_name: keypairName }),
    output: out<Record<string, never>>(),
    route: { method: 'DELETE', path: '/v3/{project_id}/keypairs/{keypair_name}/private-key' },
    mutates: true,
    audit: { record: ['keypair_name'] },
    validation: KPS_VALIDATION,
  }),
} as const;
