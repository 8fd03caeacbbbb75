import { describe, expect, it } from 'vitest';
import { listOperations } from '../../../electron/core/api/index.js';
import { CMK_TABLE } from '../../../electron/core/kms/keys.js';
import { newSession } from '../../helpers/vault.js';

describe('session dispatcher', () => {
  it('creates kms/default on first KMS use, once, and refuses to disable it', async () => {
    const { session } = await newSession();
    expect(session.vault.list(CMK_TABLE)).toHaveLength(0);
    const listed = await session.invoke('listKeys', {}, 'cli');
    expect(listed.key_details).toEqual([expect.objectContaining({ key_alias: 'kms/default', default_key_flag: '1' })]);
    await session.invoke('listKeys', {}, 'cli');
    expect(session.vault.list(CMK_TABLE)).toHaveLength(1);
    await expect(session.invoke('disableKey', { key_id: listed.key_details[0]!.key_id }, 'cli')).rejects.toMatchObject({ code: 'KMS.0211' });
    session.close();
  });

  it('resolves SDK aliases to the same operation', async () => {
    const { session } = await newSession();
    const { key_info } = await session.invoke('createKey', { key_alias: 'x' }, 'cli');
    expect(await session.invoke('describeKey', { key_id: key_info.key_id }, 'cli')).toMatchObject({ key_info: { key_alias: 'x' } });
    session.close();
  });

  it('rejects an unknown operation with CLI.0001', async () => {
    const { session } = await newSession();
    await expect(session.call('kms', 'nope', {}, 'cli')).rejects.toMatchObject({ code: 'CLI.0001' });
    session.close();
  });

  it('enforces the custom-key quota (KMS.1105) without counting default keys', async () => {
    const { session } = await newSession();
    await session.invoke('listKeys', {}, 'cli');
    for (let i = 0; i < 20; i++) await session.invoke('createKey', { key_alias: `k${i}` }, 'cli');
    await expect(session.invoke('createKey', { key_alias: 'one-too-many' }, 'cli')).rejects.toMatchObject({ code: 'KMS.1105' });
    session.close();
  });

  it('declares every operation with a service, summary, audit policy and validation codes', () => {
    for (const { decl } of listOperations()) {
      expect(decl.summary.length).toBeGreaterThan(5);
      expect(decl.validation.missing).toMatch(/^[A-Z]+\.\d{4}$/);
      for (const f of decl.audit.record ?? []) expect(Object.keys(decl.input.shape)).toContain(f);
      if (decl.route) expect(decl.route.path).toMatch(/^\/v[\d.]+\/\{project_id\}\//);
    }
  });
});
