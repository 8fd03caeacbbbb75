// The key state machine as a table: every operation that names a key × every key state
// (1 pending activation, 2 enabled, 3 disabled, 4 pending deletion, 5 pending import) →
// allowed, or the cloud's error code (reference §3.1, §4.4). The expectations are written out
// here by hand from the reference, not derived from the code under test.
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import type { KeySpec } from '../../../shared/constants.js';
import { createKey, expectCode, kms, putKey, readKey, type Json } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

type State = 1 | 2 | 3 | 4 | 5;
type Outcome = 'ok' | `KMS.${string}`;

let session: Session;
beforeAll(async () => {
  ({ session } = await newSession());
  await kms(session, 'update-user-quotas', { cmk_quota: '10000' });
});
afterAll(() => session.close());

/** Material imported into external keys, kept so that state 5 can re-import the same bytes. */
const materials = new Map<string, Buffer>();

async function wrapFor(keyId: string): Promise<{ import_token: string; encrypted_key_material: string }> {
  const p = await kms(session, 'get-parameters-for-import', { key_id: keyId, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
  const pub = createPublicKey({ key: Buffer.from(p.public_key, 'base64'), format: 'der', type: 'spki' });
  const material = materials.get(keyId) ?? randomBytes(32);
  materials.set(keyId, material);
  const wrapped = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return { import_token: p.import_token, encrypted_key_material: wrapped.toString('base64') };
}

/** An enabled key of `spec`; external ones have imported material. */
async function enabledKey(spec: KeySpec, external: boolean): Promise<string> {
  const keyId = await createKey(session, spec, external ? { origin: 'external' } : {});
  if (external) await kms(session, 'import-key-material', { key_id: keyId, ...(await wrapFor(keyId)) });
  return keyId;
}

/** Moves an enabled key to `state` by the operations that lead there (or by record for 1 and a generated key's 5). */
async function moveTo(keyId: string, state: State): Promise<void> {
  const k = readKey(session, keyId);
  if (state === 3) await kms(session, 'disable-key', { key_id: keyId });
  if (state === 4) await kms(session, 'schedule-key-deletion', { key_id: keyId, pending_days: '7' });
  if (state === 1) await putKey(session, { ...k, key_state: '1' });
  if (state === 5) {
    if (k.origin === 'external') await kms(session, 'delete-imported-key-material', { key_id: keyId });
    else await putKey(session, { ...k, key_state: '5', origin: 'external', versions: [] });
  }
  expect(readKey(session, keyId).key_state).toBe(String(state));
}

interface Row {
  op: string;
  spec: KeySpec;
  external?: boolean;
  /** Runs while the key is enabled (ciphertexts, signatures, grants to act on later). */
  before?: (keyId: string) => Promise<Record<string, unknown>>;
  /** Builds the input once the key is in its state. */
  input: (keyId: string, prepared: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: [Outcome, Outcome, Outcome, Outcome, Outcome];
}

const USE: Row['expect'] = ['KMS.0308', 'ok', 'KMS.0209', 'KMS.0210', 'KMS.0308'];
const ANY: Row['expect'] = ['ok', 'ok', 'ok', 'ok', 'ok'];
const META: Row['expect'] = ['ok', 'ok', 'ok', 'KMS.0210', 'ok'];
const b64 = (s: string) => Buffer.from(s).toString('base64');
const digest = Buffer.alloc(32, 7).toString('base64');
let aliasN = 0;

const ROWS: Row[] = [
  { op: 'describe-key', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ANY },
  { op: 'enable-key', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ['KMS.1201', 'KMS.1201', 'ok', 'KMS.1201', 'KMS.1201'] },
  { op: 'disable-key', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ['KMS.1301', 'ok', 'KMS.1301', 'KMS.1301', 'KMS.1301'] },
  { op: 'schedule-key-deletion', spec: 'AES_256', input: (key_id) => ({ key_id, pending_days: '30' }), expect: ['ok', 'ok', 'ok', 'KMS.1402', 'ok'] },
  { op: 'cancel-key-deletion', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ['KMS.1501', 'KMS.1501', 'KMS.1501', 'ok', 'KMS.1501'] },
  { op: 'update-key-alias', spec: 'AES_256', input: (key_id) => ({ key_id, key_alias: `renamed-${aliasN++}` }), expect: META },
  { op: 'update-key-description', spec: 'AES_256', input: (key_id) => ({ key_id, key_description: 'new' }), expect: META },
  { op: 'encrypt-data', spec: 'AES_256', input: (key_id) => ({ key_id, plain_text: 'x' }), expect: USE },
  {
    op: 'decrypt-data',
    spec: 'AES_256',
    before: async (key_id) => ({ cipher_text: (await kms(session, 'encrypt-data', { key_id, plain_text: 'x' })).cipher_text }),
    input: (_k, p) => ({ cipher_text: p.cipher_text }),
    expect: USE,
  },
  { op: 'create-datakey', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: USE },
  { op: 'create-datakey-without-plaintext', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: USE },
  {
    op: 'encrypt-datakey',
    spec: 'AES_256',
    input: (key_id) => {
      const dek = randomBytes(32);
      const h = createHash('sha256').update(dek).digest();
      return { key_id, plain_text: Buffer.concat([dek, h]).toString('hex'), datakey_plain_length: '32' };
    },
    expect: USE,
  },
  {
    op: 'decrypt-datakey',
    spec: 'AES_256',
    before: async (key_id) => ({ cipher_text: (await kms(session, 'create-datakey', { key_id })).cipher_text }),
    input: (key_id, p) => ({ key_id, cipher_text: p.cipher_text, datakey_cipher_length: '32' }),
    expect: USE,
  },
  { op: 'sign', spec: 'EC_P256', input: (key_id) => ({ key_id, message: digest, signing_algorithm: 'ECDSA_SHA_256' }), expect: USE },
  {
    op: 'verify',
    spec: 'EC_P256',
    before: async (key_id) => ({ signature: (await kms(session, 'sign', { key_id, message: digest, signing_algorithm: 'ECDSA_SHA_256' })).signature }),
    input: (key_id, p) => ({ key_id, message: digest, signing_algorithm: 'ECDSA_SHA_256', signature: p.signature }),
    expect: USE,
  },
  { op: 'get-publickey', spec: 'EC_P256', input: (key_id) => ({ key_id }), expect: USE },
  { op: 'generate-mac', spec: 'HMAC_256', input: (key_id) => ({ key_id, mac_algorithm: 'HMAC_SHA_256', message: b64('m') }), expect: USE },
  {
    op: 'verify-mac',
    spec: 'HMAC_256',
    before: async (key_id) => ({ mac: (await kms(session, 'generate-mac', { key_id, mac_algorithm: 'HMAC_SHA_256', message: b64('m') })).mac }),
    input: (key_id, p) => ({ key_id, mac_algorithm: 'HMAC_SHA_256', message: b64('m'), mac: p.mac }),
    expect: USE,
  },
  // State 5 of a generated key is only reachable as an external key, which cannot rotate (KMS.0312).
  { op: 'enable-key-rotation', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ['KMS.0308', 'ok', 'KMS.0209', 'KMS.0210', 'KMS.0312'] },
  {
    op: 'disable-key-rotation',
    spec: 'AES_256',
    before: async (key_id) => (await kms(session, 'enable-key-rotation', { key_id }), {}),
    input: (key_id) => ({ key_id }),
    expect: ['ok', 'ok', 'ok', 'KMS.0210', 'KMS.0312'],
  },
  {
    op: 'update-key-rotation-interval',
    spec: 'AES_256',
    before: async (key_id) => (await kms(session, 'enable-key-rotation', { key_id }), {}),
    input: (key_id) => ({ key_id, rotation_interval: 90 }),
    expect: ['ok', 'ok', 'ok', 'KMS.0210', 'KMS.0312'],
  },
  { op: 'get-key-rotation-status', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ANY },
  { op: 'rotate-on-demand', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ['KMS.0308', 'ok', 'KMS.0209', 'KMS.0210', 'KMS.0312'] },
  {
    op: 'get-parameters-for-import',
    spec: 'AES_256',
    external: true,
    input: (key_id) => ({ key_id }),
    expect: ['KMS.0310', 'KMS.0310', 'KMS.0310', 'KMS.0310', 'ok'],
  },
  {
    op: 'import-key-material',
    spec: 'AES_256',
    external: true,
    // Only a pending-import key gets import parameters; other states are refused before the token is read.
    input: async (key_id) =>
      readKey(session, key_id).key_state === '5'
        ? { key_id, ...(await wrapFor(key_id)) }
        : { key_id, import_token: 'A'.repeat(200), encrypted_key_material: 'A'.repeat(344) },
    expect: ['KMS.0310', 'KMS.0310', 'KMS.0310', 'KMS.0310', 'ok'],
  },
  {
    op: 'delete-imported-key-material',
    spec: 'AES_256',
    external: true,
    input: (key_id) => ({ key_id }),
    expect: ['KMS.2701', 'ok', 'ok', 'KMS.2701', 'KMS.2701'],
  },
  { op: 'create-grant', spec: 'AES_256', input: (key_id) => ({ key_id, grantee_principal: 'alice', operations: ['encrypt-data'] }), expect: META },
  { op: 'list-grants', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ANY },
  {
    op: 'revoke-grant',
    spec: 'AES_256',
    before: async (key_id) => ({ grant_id: (await kms(session, 'create-grant', { key_id, grantee_principal: 'bob', operations: ['describe-key'] })).grant_id }),
    input: (key_id, p) => ({ key_id, grant_id: p.grant_id }),
    expect: ANY,
  },
  {
    op: 'retire-grant',
    spec: 'AES_256',
    before: async (key_id) => ({ grant_id: (await kms(session, 'create-grant', { key_id, grantee_principal: 'bob', operations: ['describe-key'] })).grant_id }),
    input: (key_id, p) => ({ key_id, grant_id: p.grant_id }),
    expect: ANY,
  },
  { op: 'create-kms-tag', spec: 'AES_256', input: (key_id) => ({ key_id, tag: { key: 'env', value: 'dev' } }), expect: META },
  { op: 'batch-create-kms-tags', spec: 'AES_256', input: (key_id) => ({ key_id, action: 'create', tags: [{ key: 'a', value: '1' }] }), expect: META },
  {
    op: 'delete-tag',
    spec: 'AES_256',
    before: async (key_id) => (await kms(session, 'create-kms-tag', { key_id, tag: { key: 'env', value: 'dev' } }), {}),
    input: (key_id) => ({ key_id, key: 'env' }),
    expect: META,
  },
  { op: 'show-kms-tags', spec: 'AES_256', input: (key_id) => ({ key_id }), expect: ANY },
];

describe('every key operation × every key state', () => {
  it('covers every operation of the KMS that takes a key_id', async () => {
    const { listOperations } = await import('../../../electron/core/api/index.js');
    const keyOps = listOperations()
      .filter((o) => o.decl.service === 'kms' && 'key_id' in (o.decl.input.shape as object))
      .map((o) => o.decl.name);
    expect(keyOps.filter((n) => !ROWS.some((r) => r.op === n))).toEqual([]);
  });
  for (const row of ROWS) {
    for (const state of [1, 2, 3, 4, 5] as const) {
      const expected = row.expect[state - 1] as Outcome;
      it(`${row.op} in state ${state} → ${expected}`, async () => {
        const keyId = await enabledKey(row.spec, row.external ?? false);
        const prepared = row.before ? await row.before(keyId) : {};
        await moveTo(keyId, state);
        const call = kms(session, row.op, await row.input(keyId, prepared));
        if (expected === 'ok') {
          const r: Json = await call;
          expect(r).toBeTypeOf('object');
        } else {
          await expectCode(call, expected);
        }
      });
    }
  }
});
