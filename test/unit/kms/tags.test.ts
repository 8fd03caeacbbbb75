// Tags: add/overwrite, batch, delete, per-key and project listings, query by tags, and the
// cloud's tag codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { createKey, expectCode, kms } from '../../helpers/kms.js';
import { newSession } from '../../helpers/vault.js';

let session: Session;
beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

describe('tags', () => {
  it('create, overwrite, batch create/delete, delete; show-kms-tags counts them (existTagsNum)', async () => {
    const key_id = await createKey(session);
    expect(await kms(session, 'create-kms-tag', { key_id, tag: { key: 'env', value: 'dev' } })).toEqual({});
    await kms(session, 'create-kms-tag', { key_id, tag: { key: 'env', value: 'prod' } });
    await kms(session, 'batch-create-kms-tags', {
      key_id,
      action: 'create',
      tags: [
        { key: 'team', value: 'a' },
        { key: 'tier', value: '' },
      ],
    });
    expect(await kms(session, 'show-kms-tags', { key_id })).toEqual({
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'a' },
        { key: 'tier', value: '' },
      ],
      existTagsNum: 3,
    });
    await kms(session, 'batch-create-kms-tags', { key_id, action: 'delete', tags: [{ key: 'team' }] });
    await kms(session, 'delete-tag', { key_id, key: 'tier' });
    expect((await kms(session, 'show-kms-tags', { key_id })).tags).toEqual([{ key: 'env', value: 'prod' }]);
    await expectCode(kms(session, 'delete-tag', { key_id, key: 'tier' }), 'KMS.0406');
  });

  it('refuses bad tags with the cloud codes, and an 11th tag with KMS.0409', async () => {
    const key_id = await createKey(session);
    await expectCode(kms(session, 'create-kms-tag', { key_id, tag: { key: '', value: 'v' } }), 'KMS.0411');
    await expectCode(kms(session, 'create-kms-tag', { key_id, tag: { key: 'k'.repeat(37), value: 'v' } }), 'KMS.0411');
    await expectCode(kms(session, 'create-kms-tag', { key_id, tag: { key: 'a=b', value: 'v' } }), 'KMS.0406');
    await expectCode(kms(session, 'create-kms-tag', { key_id, tag: { key: 'k', value: 'v'.repeat(44) } }), 'KMS.0410');
    await expectCode(kms(session, 'create-kms-tag', { key_id, tag: { key: 'k', value: 'a<b' } }), 'KMS.0405');
    await expectCode(kms(session, 'batch-create-kms-tags', { key_id, action: 'update', tags: [{ key: 'k' }] }), 'KMS.0404');
    await expectCode(kms(session, 'batch-create-kms-tags', { key_id, action: 'create', tags: [] }), 'KMS.0401');
    await kms(session, 'batch-create-kms-tags', { key_id, action: 'create', tags: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v' })) });
    await expectCode(kms(session, 'create-kms-tag', { key_id, tag: { key: 'k10', value: 'v' } }), 'KMS.0409');
  });

  it('list-kms-tags gathers values per key; list-kms-by-tags ORs values within a key and ANDs keys', async () => {
    const { session: s } = await newSession();
    const a = await createKey(s, 'AES_256', { key_alias: 'alpha' });
    const b = await createKey(s, 'AES_256', { key_alias: 'beta' });
    const c = await createKey(s, 'HMAC_256', { key_alias: 'gamma' });
    await kms(s, 'create-kms-tag', { key_id: a, tag: { key: 'env', value: 'dev' } });
    await kms(s, 'batch-create-kms-tags', {
      key_id: b,
      action: 'create',
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'x' },
      ],
    });
    await kms(s, 'batch-create-kms-tags', {
      key_id: c,
      action: 'create',
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'y' },
      ],
    });
    expect(await kms(s, 'list-kms-tags')).toEqual({
      tags: [
        { key: 'env', values: ['dev', 'prod'] },
        { key: 'team', values: ['x', 'y'] },
      ],
    });
    const ids = async (body: Record<string, unknown>) =>
      ((await kms(s, 'list-kms-by-tags', body)).resources as { resource_id: string }[]).map((r) => r.resource_id).sort();
    expect(await ids({ action: 'filter', tags: [{ key: 'env', values: ['dev', 'prod'] }] })).toEqual([a, b, c].sort());
    expect(
      await ids({
        action: 'filter',
        tags: [
          { key: 'env', values: ['prod'] },
          { key: 'team', values: ['y'] },
        ],
      }),
    ).toEqual([c]);
    expect(await ids({ action: 'filter', tags: [{ key: 'env', values: ['prod'] }], matches: [{ key: 'resource_name', value: 'bet' }] })).toEqual([b]);
    const r = await kms(s, 'list-kms-by-tags', { action: 'filter', limit: '1', offset: '1', tags: [{ key: 'env', values: [] }] });
    expect(r.total_count).toBe(3);
    expect(r.resources).toHaveLength(1);
    expect(r.resources[0]).toMatchObject({ resource_detail: { key_id: r.resources[0].resource_id }, tags: expect.any(Array) });
    expect(await kms(s, 'list-kms-by-tags', { action: 'count', tags: [{ key: 'team', values: ['x', 'y'] }] })).toEqual({ total_count: 2 });
    await expectCode(kms(s, 'list-kms-by-tags', { action: 'list' }), 'KMS.0404');
    await expectCode(kms(s, 'list-kms-by-tags', { action: 'filter', offset: '-1' }), 'KMS.0417');
    await expectCode(kms(s, 'list-kms-by-tags', { action: 'filter', matches: [{ key: 'alias', value: 'x' }] }), 'KMS.0415');
    s.close();
  });
});
