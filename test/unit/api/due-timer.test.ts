// Work that falls due runs as one loop over every service's due tasks, each failure isolated:
// a KMS task that throws (here: a bug, not a KeyholdError) is audited with KEYHOLD.0500 and
// neither fails opening the vault, nor skips the next KMS task, nor the secrets' work.
import { describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';

vi.mock('../../../electron/core/kms/rotation.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../electron/core/kms/rotation.js')>();
  return {
    ...real,
    rotateKey: () => {
      throw new TypeError('a bug in a KMS due task');
    },
  };
});

const DAY = 86_400_000;

function outcomes(s: Session, operation: string): string[] {
  return s.audit.list({ limit: 10, operation }).events.map((e) => e.outcome);
}

describe('due work', () => {
  it("a throwing KMS task is audited, and the next KMS task and the secrets' work still run", async () => {
    const t0 = Date.now();
    let now = t0;
    const { session, path } = await newSession();
    const rotating = (await session.invoke('createKey', { key_alias: 'rotating' }, 'cli')).key_info.key_id;
    await session.invoke('enableKeyRotation', { key_id: rotating }, 'cli');
    await session.invoke('updateKeyRotationInterval', { key_id: rotating, rotation_interval: 30 }, 'cli');
    const doomed = (await session.invoke('createKey', { key_alias: 'doomed' }, 'cli')).key_info.key_id;
    await session.invoke('scheduleKeyDeletion', { key_id: doomed, pending_days: '7' }, 'cli');
    await session.invoke('createSecret', { name: 'db', secret_string: 'initial', auto_rotation: true, rotation_period: '6h' }, 'cli');
    session.close();

    now = t0 + 31 * DAY;
    const s = await Session.open(path, { password: TEST_PASSWORD }, { now: () => now, dueWorkIntervalMs: 10 });
    try {
      expect(outcomes(s, 'kms rotate-key')).toEqual(['KEYHOLD.0500']);
      expect(outcomes(s, 'kms destroy-key')).toEqual(['success']);
      expect(outcomes(s, 'csms auto-rotate-secret')).toEqual(['success']);
      expect((await s.invoke('listSecretVersions', { secret_name: 'db' }, 'cli')).version_metadatas).toHaveLength(2);
      // The failed task is retried on the timer's next tick, and fails alone again.
      await vi.waitFor(() => expect(outcomes(s, 'kms rotate-key').length).toBeGreaterThan(1), { timeout: 5000 });
      expect(outcomes(s, 'csms auto-rotate-secret')).toEqual(['success']);
    } finally {
      s.close();
    }
  });
});
