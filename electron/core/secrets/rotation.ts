/**
 * Rotation: `auto_rotation` with a `rotation_period` of 6 h to 8760 h, and rotate-secret,
 * which adds a random-valued version (from the password generator) as SYSCURRENT. A JSON
 * secret keeps its other keys and gets a new `password`; a binary secret gets 32 random bytes.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { CSMS_LIMITS } from '../../../shared/operations/csms.js';
import { newUuid, randomBytes } from '../crypto/random.js';
import { usableCmk } from './cmk.js';
import type { SecretsContext } from './context.js';
import { setDue } from './due-index.js';
import { notify } from './events.js';
import { DEFAULT_PASSWORD, generatePassword } from './password-generator.js';
import { requireEnabled, SECRETS_TABLE, type SecretRecord } from './records.js';
import { addVersion, resolveVersion, revealVersion } from './versions.js';
import type { SecretValue } from './sealing.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

const UNIT_SECONDS = { d: 86400, h: 3600, m: 60, s: 1 } as const;

/** Precondition: rotation_period is `<int>d|h|m|s` from 6 h to 8760 h (CSMS.0002). Returns ms. */
export function periodMs(period: string): number {
  const m = /^([1-9][0-9]{0,8})([dhms])$/.exec(period);
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : NaN;
  if (!(seconds >= CSMS_LIMITS.rotationMinSeconds && seconds <= CSMS_LIMITS.rotationMaxSeconds)) {
    throw new KeyholdError(
      CsmsErrors.Invalid,
      `Invalid parameter rotation_period: ${period} must be from 6h to 8760h (<integer> followed by d, h, m or s).`,
      400,
    );
  }
  return seconds * 1000;
}

/**
 * Applies rotation settings to `s`. Turning auto-rotation on (or changing its period)
 * schedules the next rotation one period from now.
 */
export function applyRotationSettings(ctx: SecretsContext, s: SecretRecord, settings: { auto_rotation?: boolean; rotation_period?: string }): void {
  const auto = settings.auto_rotation ?? s.auto_rotation;
  const period = settings.rotation_period ?? s.rotation_period;
  if (auto && period === null) throw new KeyholdError(CsmsErrors.Invalid, 'Missing parameter: rotation_period is required when auto_rotation is true.', 400);
  const ms = period === null ? null : periodMs(period);
  const changed = auto !== s.auto_rotation || period !== s.rotation_period;
  s.auto_rotation = auto;
  s.rotation_period = period;
  if (changed) s.next_rotation_time = auto && ms !== null ? ctx.now() + ms : null;
  scheduleRotation(ctx, s);
}

/** Keeps the due index in step with `s`: only enabled, auto-rotating secrets are scheduled. */
export function scheduleRotation(ctx: SecretsContext, s: SecretRecord): void {
  setDue(ctx.store, 'rotation', s.name, s.auto_rotation && s.state === 'ENABLED' ? s.next_rotation_time : null);
}

function randomValueLike(ctx: SecretsContext, s: SecretRecord): SecretValue {
  const current = revealVersion(ctx, s, resolveVersion(s, 'latest'));
  if ('secret_binary' in current) return { secret_binary: randomBytes(32).toString('base64') };
  const password = generatePassword(DEFAULT_PASSWORD);
  if (s.secret_format !== 'JSON') return { secret_string: password };
  return { secret_string: JSON.stringify({ ...(JSON.parse(current.secret_string) as Record<string, unknown>), password }) };
}

/** Rotates `s` now: a new SYSCURRENT version with a random value; SECRET_ROTATED is notified. */
export function rotate(ctx: SecretsContext, s: SecretRecord): { version_id: string; secret_name: string; rotation_task_id: string } {
  requireEnabled(s);
  // Everything that can refuse runs before `s` changes, so a failed rotation records nothing.
  const cmk = usableCmk(ctx, s.kms_key_id);
  const value = randomValueLike(ctx, s);
  const now = ctx.now();
  s.rotation_time = now;
  if (s.auto_rotation && s.rotation_period !== null) s.next_rotation_time = now + periodMs(s.rotation_period);
  const meta = addVersion(ctx, s, cmk, value);
  scheduleRotation(ctx, s);
  notify(ctx, s, 'SECRET_ROTATED', meta);
  // Local rotation is synchronous: the task is complete when this returns.
  return { version_id: meta.id, secret_name: s.name, rotation_task_id: newUuid() };
}

/**
 * A scheduled rotation that came due. A refusal (CMK disabled, say) is notified as
 * SECRET_ROTATED_FAILED and the next attempt moves one period on; its code is returned
 * so the audit entry shows it.
 */
export function rotateDue(ctx: SecretsContext, s: SecretRecord): string {
  try {
    rotate(ctx, s);
    return 'success';
  } catch (e) {
    if (!(e instanceof KeyholdError) || s.rotation_period === null) throw e;
    s.next_rotation_time = ctx.now() + periodMs(s.rotation_period);
    notify(ctx, s, 'SECRET_ROTATED_FAILED');
    ctx.store.put(SECRETS_TABLE, s.name, s);
    scheduleRotation(ctx, s);
    return e.code;
  }
}
