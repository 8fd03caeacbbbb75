/**
 * Work that comes due with time, run by the session when the vault opens and on a timer while
 * it stays open: auto-rotations, version expiries (SECRET_VERSION_EXPIRED) and scheduled
 * deletions. Each task is its own audited transaction and re-checks that it is still due, so
 * running it twice (timer and open racing) does it once.
 */
import type { DuePlan, DueTask } from '../../../shared/operations/index.js';
import type { SecretsContext } from './context.js';
import { readDue, setDue } from './due-index.js';
import { notify } from './events.js';
import { findSecret } from './records.js';
import { rotateDue } from './rotation.js';
import { deleteSecretNow } from './secrets.js';

/** The secrets' work due at `ctx.now()`, from their due index (due-index.ts). */
export function csmsDueTasks(ctx: SecretsContext): DuePlan<SecretsContext> {
  return { tasks: dueTasks(ctx), damaged: [] };
}

function dueTasks(ctx: SecretsContext): DueTask<SecretsContext>[] {
  const now = ctx.now();
  const index = readDue(ctx.store);
  const due = (entries: Record<string, number>) => Object.keys(entries).filter((k) => (entries[k] as number) <= now);
  const stillDue = (c: SecretsContext, kind: 'rotation' | 'expiry' | 'deletion', key: string) => {
    const at = readDue(c.store)[kind][key];
    return at !== undefined && at <= c.now();
  };
  return [
    ...due(index.deletion).map((name) => ({
      operation: 'csms scheduled-delete-secret',
      key_id: null,
      fields: { secret_name: name },
      run: (c: SecretsContext) => {
        const s = findSecret(c.store, name);
        if (!stillDue(c, 'deletion', name) || !s) return 'not-due';
        deleteSecretNow(c, s);
        return 'success';
      },
    })),
    ...due(index.rotation).map((name) => ({
      operation: 'csms auto-rotate-secret',
      key_id: null,
      fields: { secret_name: name },
      run: (c: SecretsContext) => {
        const s = findSecret(c.store, name);
        if (!stillDue(c, 'rotation', name) || !s) return 'not-due';
        return rotateDue(c, s);
      },
    })),
    ...due(index.expiry).map((key) => {
      const [name, versionId] = key.split('/') as [string, string];
      return {
        operation: 'csms version-expired',
        key_id: null,
        fields: { secret_name: name, version_id: versionId },
        run: (c: SecretsContext) => {
          const s = findSecret(c.store, name);
          if (!stillDue(c, 'expiry', key)) return 'not-due';
          setDue(c.store, 'expiry', key, null);
          const v = s?.versions.find((x) => x.id === versionId);
          if (s && v) notify(c, s, 'SECRET_VERSION_EXPIRED', v);
          return 'success';
        },
      };
    }),
  ];
}
