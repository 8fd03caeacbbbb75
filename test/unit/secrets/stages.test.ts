import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { newSession } from '../../helpers/vault.js';
import { caller, codeOf, type Call } from './helpers.js';

let session: Session;
let csms: Call;

beforeEach(async () => {
  session = (await newSession()).session;
  csms = caller(session);
  await csms('create-secret', { name: 'db', secret_string: 'one' });
});
afterEach(() => session.close());

async function stagesByVersion(): Promise<Record<string, string[]>> {
  const r = await csms('list-secret-versions', { secret_name: 'db' });
  return Object.fromEntries(r.version_metadatas.map((v: { id: string; version_stages: string[] }) => [v.id, v.version_stages]));
}

describe('stages', () => {
  it('SYSCURRENT moves to each new version and SYSPREVIOUS to the one before', async () => {
    expect(await stagesByVersion()).toEqual({ v1: ['SYSCURRENT'] });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'two' });
    expect(await stagesByVersion()).toEqual({ v1: ['SYSPREVIOUS'], v2: ['SYSCURRENT'] });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'three' });
    expect(await stagesByVersion()).toEqual({ v1: [], v2: ['SYSPREVIOUS'], v3: ['SYSCURRENT'] });
  });

  it('explicit version_stages attach to the new version and leave SYSCURRENT where it was', async () => {
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'two', version_stages: ['PENDING'] });
    expect(await stagesByVersion()).toEqual({ v1: ['SYSCURRENT'], v2: ['PENDING'] });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'three', version_stages: ['PENDING', 'SYSCURRENT'] });
    expect(await stagesByVersion()).toEqual({ v1: ['SYSPREVIOUS'], v2: [], v3: ['PENDING', 'SYSCURRENT'] });
  });

  it('moving SYSCURRENT by hand gives SYSPREVIOUS to the version it left; other moves touch nothing else', async () => {
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'two' });
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'three' });
    const moved = await csms('update-secret-stage', { secret_name: 'db', stage_name: 'SYSCURRENT', version_id: 'v1' });
    expect(moved.stage).toMatchObject({ name: 'SYSCURRENT', secret_name: 'db', version_id: 'v1' });
    expect(await stagesByVersion()).toEqual({ v1: ['SYSCURRENT'], v2: [], v3: ['SYSPREVIOUS'] });
    await csms('update-secret-stage', { secret_name: 'db', stage_name: 'blue', version_id: 'v2' });
    expect(await stagesByVersion()).toEqual({ v1: ['SYSCURRENT'], v2: ['blue'], v3: ['SYSPREVIOUS'] });
    expect((await csms('show-secret-version', { secret_name: 'db', version_id: 'latest' })).version.secret_string).toBe('one');
    expect((await csms('show-secret-stage', { secret_name: 'db', stage_name: 'blue' })).stage.version_id).toBe('v2');
  });

  it('SYSCURRENT and SYSPREVIOUS cannot be deleted (CSMS.0105); custom stages can', async () => {
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'two', version_stages: ['SYSCURRENT', 'green'] });
    expect(await codeOf(csms('delete-secret-stage', { secret_name: 'db', stage_name: 'SYSCURRENT' }))).toBe('CSMS.0105');
    expect(await codeOf(csms('delete-secret-stage', { secret_name: 'db', stage_name: 'SYSPREVIOUS' }))).toBe('CSMS.0105');
    await csms('delete-secret-stage', { secret_name: 'db', stage_name: 'green' });
    expect(await codeOf(csms('show-secret-stage', { secret_name: 'db', stage_name: 'green' }))).toBe('CSMS.0005');
    expect(await codeOf(csms('delete-secret-stage', { secret_name: 'db', stage_name: 'green' }))).toBe('CSMS.0005');
  });

  it('a secret holds at most 12 stages (CSMS.0203)', async () => {
    await csms('create-secret-version', { secret_name: 'db', secret_string: 'two' }); // SYSCURRENT + SYSPREVIOUS
    for (let i = 0; i < 10; i++) await csms('update-secret-stage', { secret_name: 'db', stage_name: `s${i}`, version_id: 'v1' });
    expect(await codeOf(csms('update-secret-stage', { secret_name: 'db', stage_name: 'one-too-many', version_id: 'v2' }))).toBe('CSMS.0203');
    // Moving an existing stage is still fine at the limit.
    await csms('update-secret-stage', { secret_name: 'db', stage_name: 's0', version_id: 'v2' });
    expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_string: 'x', version_stages: ['new-one'] }))).toBe('CSMS.0203');
  });

  it('stage names are validated like the cloud and must point at an existing version', async () => {
    expect(await codeOf(csms('update-secret-stage', { secret_name: 'db', stage_name: 'bad name', version_id: 'v1' }))).toBe('CSMS.0002');
    expect(await codeOf(csms('update-secret-stage', { secret_name: 'db', stage_name: 'x'.repeat(65), version_id: 'v1' }))).toBe('CSMS.0002');
    await csms('update-secret-stage', { secret_name: 'db', stage_name: 'x'.repeat(64), version_id: 'v1' });
    expect(await codeOf(csms('update-secret-stage', { secret_name: 'db', stage_name: 'ok', version_id: 'v9' }))).toBe('CSMS.0005');
    expect(await codeOf(csms('create-secret-version', { secret_name: 'db', secret_string: 'x', version_stages: ['no/slash'] }))).toBe('CSMS.0002');
  });
});
