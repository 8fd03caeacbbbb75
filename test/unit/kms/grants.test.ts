// Grants: stored with the cloud's shape, validated with its codes, revoked and retired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { createKey, expectCode, kms } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

let session: Session;
beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

describe('grants', () => {
  it('create-grant stores the cloud grant object; list-grants pages it', async () => {
    const key_id = await createKey(session);
    const { grant_id } = await kms(session, 'create-grant', {
      key_id,
      grantee_principal: 'alice01',
      operations: ['encrypt-data', 'decrypt-data', 'encrypt-data'],
      name: 'app',
    });
    expect(grant_id).toMatch(/^[0-9a-f]{64}$/);
    await kms(session, 'create-grant', { key_id, grantee_principal: 'bob', operations: ['describe-key'] });
    const page1 = await kms(session, 'list-grants', { key_id, limit: '1' });
    expect(page1).toMatchObject({ total: 2, truncated: 'true', next_marker: '1' });
    expect(page1.grants[0]).toMatchObject({
      key_id,
      grant_id,
      grantee_principal: 'alice01',
      grantee_principal_type: 'user',
      operations: ['encrypt-data', 'decrypt-data'],
      name: 'app',
      retiring_principal: '',
    });
    expect(page1.grants[0].creation_date).toMatch(/^\d{13}$/);
    expect((await kms(session, 'list-grants', { key_id, limit: '1', marker: '1' })).grants[0].grantee_principal).toBe('bob');
  });

  it('validates: create-grant alone KMS.2401, bad principal KMS.2402, unknown operation KMS.0308, 100 per key KMS.2404', async () => {
    const key_id = await createKey(session);
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'a', operations: ['create-grant'] }), 'KMS.2401');
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'not valid!', operations: ['describe-key'] }), 'KMS.2402');
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'a', operations: ['delete-key'] }), 'KMS.0308');
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'a', operations: [] }), 'KMS.0308');
    for (let i = 0; i < 100; i++) await kms(session, 'create-grant', { key_id, grantee_principal: `p${i}`, operations: ['describe-key'] });
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'one-more', operations: ['describe-key'] }), 'KMS.2402');
    await expectCode(kms(session, 'create-grant', { key_id, grantee_principal: 'onemore', operations: ['describe-key'] }), 'KMS.2404');
  });

  it('revoke and retire remove a grant; an unknown grant is KMS.2501, one of another key KMS.2502', async () => {
    const a = await createKey(session);
    const b = await createKey(session);
    const g1 = (await kms(session, 'create-grant', { key_id: a, grantee_principal: 'x', operations: ['describe-key'] })).grant_id;
    const g2 = (await kms(session, 'create-grant', { key_id: a, grantee_principal: 'y', operations: ['describe-key', 'retire-grant'] })).grant_id;
    await expectCode(kms(session, 'revoke-grant', { key_id: b, grant_id: g1 }), 'KMS.2502');
    expect(await kms(session, 'revoke-grant', { key_id: a, grant_id: g1 })).toEqual({});
    await expectCode(kms(session, 'cancel-grant', { key_id: a, grant_id: g1 }), 'KMS.2501');
    expect(await kms(session, 'cancel-self-grant', { key_id: a, grant_id: g2 })).toEqual({});
    expect((await kms(session, 'list-grants', { key_id: a })).total).toBe(0);
    await expectCode(kms(session, 'retire-grant', { key_id: a, grant_id: 'zz' }), 'KMS.2501');
  });

  it('list-retirable-grants lists the grants naming the vault owner as retiring principal', async () => {
    const key_id = await createKey(session);
    const owner = (await kms(session, 'describe-key', { key_id })).key_info.domain_id;
    const mine = (await kms(session, 'create-grant', { key_id, grantee_principal: 'z', operations: ['describe-key'], retiring_principal: owner })).grant_id;
    await kms(session, 'create-grant', { key_id, grantee_principal: 'z', operations: ['describe-key'], retiring_principal: 'someoneelse' });
    const r = await kms(session, 'list-retirable-grants', {});
    expect(r.grants.map((g: { grant_id: string }) => g.grant_id)).toEqual([mine]);
    expect(r).toMatchObject({ total: 1, truncated: 'false' });
  });
});
