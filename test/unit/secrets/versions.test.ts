import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { newSession } from '../../helpers/vault.js';
import { caller, codeOf, type Call } from './helpers.js';

let session: Session;
let csms: Call;

beforeEach(async () => {
  session = (await newSession()).session;
  csms = caller(session);
});
afterEach(() => session.close());

const value = async (version_id: string, secret_name = 'db') => (await csms('show-secret-version', { secret_name, version_id })).version;

describe('versions', () => {
  it('numbers versions v1, v2 … and resolves latest to the SYSCURRENT version, or a stage name', async () => {
    await csms('create-secret', { name: 'db', secret_string: 'one' });
    const v2 = await csms('create-secret-version', { secret_name: 'db', secret_string: 'two' });
    expect(v2.version_metadata).toMatchObject({ id: 'v2', secret_name: 'db', version_stages: ['SYSCURRENT'] });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'three', version_stages: ['staged'] });
    expect((await value('latest')).secret_string).toBe('two');
    expect((await value('v1')).secret_string).toBe('one');
    expect((await value('v3')).secret_string).toBe('three');
    expect((await value('staged')).version_metadata.id).toBe('v3');
    expect((await value('SYSPREVIOUS')).secret_string).toBe('one');
    expect(await codeOf(value('v4'))).toBe('CSMS.0005');
    expect(await codeOf(value('nostage'))).toBe('CSMS.0005');
  });

  it('keeps at most 20 versions, purging the oldest that carries no stage; ids are never reused', async () => {
    await csms('create-secret', { name: 'db', secret_string: 'v1' });
    await csms('update-secret-stage', { secret_name: 'db', stage_name: 'pinned', version_id: 'v1' });
    for (let i = 2; i <= 25; i++) await csms('create-secret-version', { secret_name: 'db', secret_string: `v${i}` });
    const listed = await csms('list-secret-versions', { secret_name: 'db', limit: 100 });
    const ids = listed.version_metadatas.map((v: { id: string }) => v.id);
    expect(ids).toHaveLength(20);
    // v1 keeps its custom stage; v2…v6 (stageless, oldest) were purged.
    expect(ids).toEqual(['v1', ...Array.from({ length: 19 }, (_, i) => `v${i + 7}`)]);
    expect(await codeOf(value('v2'))).toBe('CSMS.0005');
    expect((await value('v1')).secret_string).toBe('v1');
    const next = await csms('create-secret-version', { secret_name: 'db', secret_string: 'v26' });
    expect(next.version_metadata.id).toBe('v26');
  });

  it('accepts values up to 32 KB and refuses one byte more', async () => {
    await csms('create-secret', { name: 'db', secret_string: 'x'.repeat(32768) });
    expect((await value('latest')).secret_string).toHaveLength(32768);
    expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_string: 'x'.repeat(32769) }))).toBe('CSMS.0002');
    // Multi-byte characters count in UTF-8 bytes: 16385 × 2 bytes > 32768.
    expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_string: 'é'.repeat(16385) }))).toBe('CSMS.0002');
    expect(await codeOf(csms('create-secret', { name: 'big', secret_binary: 'A'.repeat(32772) }))).toBe('CSMS.0002');
  });

  it('round-trips binary secrets and requires exactly one of secret_string and secret_binary', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]).toString('base64');
    await csms('create-secret', { name: 'bin', secret_binary: bytes });
    const v = await value('latest', 'bin');
    expect(v.secret_binary).toBe(bytes);
    expect(v.secret_string).toBeUndefined();
    expect(await codeOf(csms('create-secret-version', { secret_name: 'bin' }))).toBe('CSMS.0002');
    expect(await codeOf(csms('create-secret-version', { secret_name: 'bin', secret_string: 'a', secret_binary: bytes }))).toBe('CSMS.0002');
    expect(await codeOf(csms('create-secret-version', { secret_name: 'bin', secret_binary: 'not base64!' }))).toBe('CSMS.0002');
  });

  it('validates every version of a JSON secret as a JSON key/value object', async () => {
    const creds = { username: 'app', password: 'pw', host: 'db.internal', port: 5432 };
    await csms('create-secret', { name: 'db', secret_format: 'JSON', secret_string: JSON.stringify(creds) });
    expect(JSON.parse((await value('latest')).secret_string)).toEqual(creds);
    for (const bad of ['not json', '[1,2]', '"text"', '{"nested":{"a":1}}']) {
      expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_string: bad }))).toBe('CSMS.0002');
    }
    expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_binary: 'AAAA' }))).toBe('CSMS.0002');
    expect(await codeOf(csms('create-secret', { name: 'db2', secret_format: 'JSON', secret_string: 'plain' }))).toBe('CSMS.0002');
  });

  it('pages versions in creation order with the last version id as marker', async () => {
    await csms('create-secret', { name: 'db', secret_string: '1' });
    for (let i = 2; i <= 12; i++) await csms('create-secret-version', { secret_name: 'db', secret_string: String(i) });
    const first = await csms('list-secret-versions', { secret_name: 'db', limit: 5 });
    expect(first.version_metadatas.map((v: { id: string }) => v.id)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(first.page_info).toEqual({ next_marker: 'v5', current_count: 5 });
    const second = await csms('list-secret-versions', { secret_name: 'db', limit: 5, marker: 'v9' });
    expect(second.version_metadatas.map((v: { id: string }) => v.id)).toEqual(['v10', 'v11', 'v12']);
    expect(second.page_info).toEqual({ previous_marker: 'v9', current_count: 3 });
    const exact = await csms('list-secret-versions', { secret_name: 'db', limit: 12 });
    expect(exact.page_info.next_marker).toBeUndefined();
  });

  it('sets expire_time with update-version', async () => {
    await csms('create-secret', { name: 'db', secret_string: '1' });
    const r = await csms('update-version', { secret_name: 'db', version_id: 'v1', expire_time: 1_900_000_000_000 });
    expect(r.version_metadata).toMatchObject({ id: 'v1', expire_time: 1_900_000_000_000 });
    expect(await codeOf(csms('update-version', { secret_name: 'db', version_id: 'v7', expire_time: 1 }))).toBe('CSMS.0005');
  });
});
