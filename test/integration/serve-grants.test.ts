// Grant authorization over HTTP (issue #16): who may create, retire and revoke a grant, each
// row with the outcome and code the cloud gives; and a grantee's refusal on CSMS and KPS routes
// in those services' flat shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initVault } from '../helpers/vault.js';
import { accessKey, signedFetch, startServe, type Served } from '../helpers/serve.js';

type Creds = { access: string; secret: string };
type Actor = 'owner' | 'A' | 'B' | 'R';
let served: Served;
let keys: Record<Actor | 'C', Creds>;
const kms = (action: string) => `/v1.0/${served.project_id}/kms/${action}`;

beforeAll(async () => {
  const vault = initVault();
  keys = {
    owner: accessKey(vault),
    A: accessKey(vault, 'grantee'),
    B: accessKey(vault, 'grantee'),
    R: accessKey(vault, 'grantee'),
    C: accessKey(vault, 'grantee'),
  };
  served = await startServe(vault);
});
afterAll(async () => {
  if (served.child.exitCode === null) await served.stop();
});

async function call(who: Actor, action: string, body: unknown) {
  return signedFetch(served.url, 'POST', kms(action), body, keys[who]);
}

let keyCount = 0;
async function newKey(): Promise<string> {
  const r = await call('owner', 'create-key', { key_alias: `k-${++keyCount}` });
  return (r.json as { key_info: { key_id: string } }).key_info.key_id;
}

async function ownerGrants(keyId: string, grantee: Actor | 'C', operations: string[], retiring?: Actor): Promise<string> {
  const r = await call('owner', 'create-grant', {
    key_id: keyId,
    grantee_principal: keys[grantee].access,
    operations,
    ...(retiring ? { retiring_principal: keys[retiring].access } : {}),
  });
  expect(r.status).toBe(200);
  return (r.json as { grant_id: string }).grant_id;
}

interface Row {
  who: Actor;
  /** The caller's own grant on the key, made by the owner first. */
  own?: string[];
  action: 'create' | 'retire' | 'revoke';
  /** create: the operations asked for (for principal C). */
  asks?: string[];
  /** retire/revoke: the grant acted on, made by the owner. */
  target?: { grantee: Actor | 'C'; operations: string[]; retiring?: Actor };
  status: number;
  code?: string;
}

const ROWS: [string, Row][] = [
  ['owner creates any grant', { who: 'owner', action: 'create', asks: ['encrypt-data', 'decrypt-data'], status: 200 }],
  [
    'grantee with create-grant grants within its own grant',
    { who: 'A', own: ['describe-key', 'create-grant', 'encrypt-data'], action: 'create', asks: ['encrypt-data'], status: 200 },
  ],
  [
    'grantee with create-grant cannot widen (the #16 attack)',
    { who: 'A', own: ['describe-key', 'create-grant'], action: 'create', asks: ['encrypt-data', 'decrypt-data'], status: 403, code: 'KMS.0306' },
  ],
  [
    'grantee with create-grant cannot pass on one operation it lacks',
    { who: 'A', own: ['create-grant', 'encrypt-data'], action: 'create', asks: ['encrypt-data', 'decrypt-data'], status: 403, code: 'KMS.0306' },
  ],
  [
    'grantee without create-grant cannot grant',
    { who: 'A', own: ['describe-key', 'encrypt-data'], action: 'create', asks: ['describe-key'], status: 403, code: 'KMS.0306' },
  ],
  ['retiring principal without a grant cannot grant', { who: 'R', action: 'create', asks: ['describe-key'], status: 403, code: 'KMS.0306' }],
  ['owner retires', { who: 'owner', action: 'retire', target: { grantee: 'C', operations: ['describe-key'] }, status: 200 }],
  [
    'grantee retires its own grant that gives retire-grant',
    { who: 'A', action: 'retire', target: { grantee: 'A', operations: ['describe-key', 'retire-grant'] }, status: 200 },
  ],
  [
    'grantee cannot retire its own grant without retire-grant',
    { who: 'A', action: 'retire', target: { grantee: 'A', operations: ['describe-key'] }, status: 403, code: 'KMS.0306' },
  ],
  [
    "grantee holding retire-grant cannot retire another's grant",
    {
      who: 'A',
      own: ['describe-key', 'retire-grant'],
      action: 'retire',
      target: { grantee: 'C', operations: ['describe-key'] },
      status: 403,
      code: 'KMS.0306',
    },
  ],
  [
    'retiring principal without a grant retires',
    { who: 'R', action: 'retire', target: { grantee: 'C', operations: ['describe-key'], retiring: 'R' }, status: 200 },
  ],
  [
    'retiring principal with a grant of its own retires',
    { who: 'R', own: ['describe-key'], action: 'retire', target: { grantee: 'C', operations: ['describe-key'], retiring: 'R' }, status: 200 },
  ],
  [
    'another grantee cannot retire a grant naming R',
    {
      who: 'B',
      own: ['describe-key', 'retire-grant'],
      action: 'retire',
      target: { grantee: 'C', operations: ['describe-key'], retiring: 'R' },
      status: 403,
      code: 'KMS.0306',
    },
  ],
  ['owner revokes', { who: 'owner', action: 'revoke', target: { grantee: 'C', operations: ['describe-key'] }, status: 200 }],
  [
    'grantee cannot revoke, even its own grant with retire-grant and create-grant',
    { who: 'A', action: 'revoke', target: { grantee: 'A', operations: ['describe-key', 'retire-grant', 'create-grant'] }, status: 403, code: 'KMS.0307' },
  ],
  [
    'retiring principal cannot revoke',
    { who: 'R', action: 'revoke', target: { grantee: 'C', operations: ['describe-key'], retiring: 'R' }, status: 403, code: 'KMS.0307' },
  ],
];

describe('grant authorization over HTTP', () => {
  it.each(ROWS)('%s', async (_name, row) => {
    const keyId = await newKey();
    if (row.own) await ownerGrants(keyId, row.who, row.own);
    const targetId = row.target ? await ownerGrants(keyId, row.target.grantee, row.target.operations, row.target.retiring) : undefined;
    const r =
      row.action === 'create'
        ? await call(row.who, 'create-grant', { key_id: keyId, grantee_principal: keys.C.access, operations: row.asks })
        : await call(row.who, `${row.action}-grant`, { key_id: keyId, grant_id: targetId });
    expect(r.status).toBe(row.status);
    const grants = (await call('owner', 'list-grants', { key_id: keyId })).json as {
      grants: { grant_id: string; issuing_principal: string; grantee_principal: string }[];
    };
    if (row.code) {
      // KMS's nested shape, with code/message one level down for Huawei's Node SDK.
      expect(r.json).toEqual({ error: { error_code: row.code, error_msg: expect.any(String), code: row.code, message: expect.any(String) } });
      if (targetId) expect(grants.grants.some((g) => g.grant_id === targetId)).toBe(true);
      if (row.action === 'create') expect(grants.grants.some((g) => g.grantee_principal === keys.C.access)).toBe(false);
      return;
    }
    if (row.action === 'create') {
      const made = grants.grants.find((g) => g.grant_id === (r.json as { grant_id: string }).grant_id);
      expect(made?.issuing_principal).toBe(keys[row.who].access);
    } else expect(grants.grants.some((g) => g.grant_id === targetId)).toBe(false);
  });

  it('a grantee that failed to widen its grant still cannot decrypt', async () => {
    const keyId = await newKey();
    await ownerGrants(keyId, 'A', ['describe-key', 'create-grant']);
    const enc = await call('owner', 'encrypt-data', { key_id: keyId, plain_text: 'secret' });
    expect((await call('A', 'create-grant', { key_id: keyId, grantee_principal: keys.A.access, operations: ['encrypt-data', 'decrypt-data'] })).status).toBe(
      403,
    );
    const dec = await call('A', 'decrypt-data', { cipher_text: (enc.json as { cipher_text: string }).cipher_text });
    expect(dec.status).toBe(403);
  });
});

describe('grantee refusals on CSMS and KPS routes', () => {
  it('answer 403 in the flat shape of the service called', async () => {
    const csms = await signedFetch(served.url, 'GET', `/v1/${served.project_id}/secrets`, undefined, keys.A);
    expect(csms.status).toBe(403);
    expect(csms.json).toEqual({ error_code: 'CSMS.0307', error_msg: expect.any(String) });
    const kps = await signedFetch(served.url, 'GET', `/v3/${served.project_id}/keypairs`, undefined, keys.A);
    expect(kps.status).toBe(403);
    expect(kps.json).toEqual({ error_code: 'KPS.0307', error_msg: expect.any(String) });
  });
});
