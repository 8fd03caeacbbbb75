// The due-work timer runs KMS maintenance and secrets' due work each on its own: one failing
// never skips the other.
import { describe, expect, it, vi } from 'vitest';
import { Session } from '../../../electron/core/api/index.js';
import { newSession, TEST_PASSWORD } from '../../helpers/vault.js';

const HOUR = 3600 * 1000;

describe('due-work timer', () => {
  it("still rotates a due secret when KMS maintenance throws on the tick", async () => {
    const t0 = Date.now();
    let now = t0;
    const { session, path } = await newSession();
    await session.call('csms', 'create-secret', { name: 'db', secret_string: 'initial', auto_rotation: true, rotation_period: '6h' }, 'cli');
    session.close();
    const s = await Session.open(path, { password: TEST_PASSWORD }, { now: () => now, dueWorkIntervalMs: 10 });
    try {
      const failing = vi.spyOn(s, 'runDueMaintenance').mockRejectedValue(new Error('maintenance broke'));
      now = t0 + 7 * HOUR;
      await vi.waitFor(() => expect(s.audit.list({ limit: 10, operation: 'csms auto-rotate-secret' }).events).toHaveLength(1), { timeout: 5000 });
      expect(failing).toHaveBeenCalled();
    } finally {
      s.close();
    }
  });
});
