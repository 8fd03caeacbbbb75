/**
 * Key stores (reference §11.1: create-key-store, list-key-stores, show-key-store,
 * enable/disable/delete-key-store): where a CMK's material lives. "0" is Keyhold's own store
 * (the software HSM); a PKCS#11 key store is a token reached through a module on this machine
 * (docs/hsm.md). create-key-store names a shared library to load and reads a PIN file, so it is
 * local only: never offered over HTTP, where a path would name the server's files and loading it
 * would run code chosen by a caller. The others take only a keystore_id and keep the cloud's routes.
 */
import { z } from 'zod';
import { defineOp, out } from '../define.js';
import { kmsValidation } from './common.js';

export const keystoreId = z.string().regex(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/, 'must be a 36-character key store id');
/** On create-key: "0" (or absent) is Keyhold's own store. */
export const keystoreRef = z.union([z.literal('0'), keystoreId]).optional();

const KEYSTORE_VALIDATION = kmsValidation({ keystore_id: 'KMS.0308' });

/** A key store as the key-store operations show it. The PIN is never part of it. */
export interface KeyStoreInfo {
  keystore_id: string;
  domain_id: string;
  keystore_alias: string;
  keystore_type: 'PKCS11';
  pkcs11_module: string;
  token_label: string;
  token_serial: string;
  /** What the owner set: ENABLED or DISABLED. */
  keystore_state: 'ENABLED' | 'DISABLED';
  /** Whether its token answers now: unavailable until the token (or its module) comes back. */
  availability: 'available' | 'unavailable' | 'disabled';
  /** Why it is unavailable: the error code and message of the last attempt. */
  unavailable_reason?: { error_code: string; error_msg: string };
  create_time: string;
}

const byId = z.object({ keystore_id: keystoreId });

export const keyStoreOperations = {
  createKeyStore: defineOp({
    service: 'kms',
    name: 'create-key-store',
    summary: 'Create a key store on a PKCS#11 token: CMKs created with its keystore_id are generated and used inside the token (docs/hsm.md).',
    input: z.object({
      keystore_alias: z.string().regex(/^[a-zA-Z0-9:/_-]{1,64}$/, 'must be 1-64 characters of a-z A-Z 0-9 : / _ -'),
      keystore_type: z.enum(['PKCS11']),
      pkcs11_module: z.string().min(1).max(4096).describe('absolute path of the PKCS#11 module (a shared library only root or you can change)'),
      token_label: z.string().min(1).max(32).describe("the token's label (as softhsm2-util --init-token --label set it)"),
      pin: z.string().min(1).max(256).describe("the token's user PIN, sealed in the vault (use --pin-file)"),
    }),
    output: out<{ keystore: KeyStoreInfo }>(),
    mutates: true,
    localFiles: true,
    audit: { record: ['keystore_alias', 'keystore_type', 'pkcs11_module', 'token_label'] },
    validation: KEYSTORE_VALIDATION,
  }),
  listKeyStores: defineOp({
    service: 'kms',
    name: 'list-key-stores',
    summary: 'List key stores, each with whether its token answers now.',
    input: z.object({}),
    output: out<{ keystores: KeyStoreInfo[]; total: number }>(),
    route: { method: 'GET', path: '/v1.0/{project_id}/keystores' },
    mutates: false,
    audit: {},
    validation: KEYSTORE_VALIDATION,
  }),
  showKeyStore: defineOp({
    service: 'kms',
    name: 'show-key-store',
    summary: 'Show one key store and whether its token answers now.',
    input: byId,
    output: out<{ keystore: KeyStoreInfo }>(),
    route: { method: 'GET', path: '/v1.0/{project_id}/keystores/{keystore_id}' },
    mutates: false,
    audit: { record: ['keystore_id'] },
    validation: KEYSTORE_VALIDATION,
  }),
  enableKeyStore: defineOp({
    service: 'kms',
    name: 'enable-key-store',
    summary: 'Enable a disabled key store: its CMKs can be used again.',
    input: byId,
    output: out<{ keystore: { keystore_id: string; keystore_state: 'ENABLED' } }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/keystores/{keystore_id}/enable' },
    mutates: true,
    audit: { record: ['keystore_id'] },
    validation: KEYSTORE_VALIDATION,
  }),
  disableKeyStore: defineOp({
    service: 'kms',
    name: 'disable-key-store',
    summary: 'Disable a key store: its token is closed and its CMKs refuse every use until it is enabled.',
    input: byId,
    output: out<{ keystore: { keystore_id: string; keystore_state: 'DISABLED' } }>(),
    route: { method: 'POST', path: '/v1.0/{project_id}/keystores/{keystore_id}/disable' },
    mutates: true,
    audit: { record: ['keystore_id'] },
    validation: KEYSTORE_VALIDATION,
  }),
  deleteKeyStore: defineOp({
    service: 'kms',
    name: 'delete-key-store',
    summary: 'Delete a key store that holds no CMK (objects in the token are left as they are).',
    input: byId,
    output: out<{ keystore: { keystore_id: string } }>(),
    route: { method: 'DELETE', path: '/v1.0/{project_id}/keystores/{keystore_id}' },
    mutates: true,
    audit: { record: ['keystore_id'] },
    validation: KEYSTORE_VALIDATION,
  }),
};
