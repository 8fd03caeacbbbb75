/**
 * Version stages: named labels, each pointing at exactly one version. SYSCURRENT marks the
 * current value; whenever it moves to another version, SYSPREVIOUS follows to the version it
 * left. Both are built in and cannot be deleted; a secret holds at most 12 stages.
 */
import { KeyholdError } from '../../../shared/errors.js';
import { CSMS_LIMITS, SYSTEM_STAGES, type Stage } from '../../../shared/operations/csms.js';
import type { SecretRecord } from './records.js';
import { CsmsErrors } from '../../../shared/operations/csms-errors.js';

/** Points `stage` at `versionId` (creating it if new); SYSPREVIOUS follows a moved SYSCURRENT. */
export function pointStage(s: SecretRecord, stage: string, versionId: string, now: number): void {
  const current = s.stages.SYSCURRENT?.version_id;
  if (stage === 'SYSCURRENT' && current !== undefined && current !== versionId) {
    s.stages.SYSPREVIOUS = { version_id: current, update_time: now };
  }
  s.stages[stage] = { version_id: versionId, update_time: now };
  requireStageLimit(s);
}

/**
 * Stages for a new version: the listed ones (SYSCURRENT first, so an explicit SYSPREVIOUS in
 * the same list wins), or SYSCURRENT alone when none are listed (the cloud's default).
 */
export function stageNewVersion(s: SecretRecord, versionId: string, stages: readonly string[] | undefined, now: number): void {
  const labels = [...new Set(stages ?? ['SYSCURRENT'])].sort((a, b) => Number(b === 'SYSCURRENT') - Number(a === 'SYSCURRENT'));
  for (const label of labels) pointStage(s, label, versionId, now);
}

/** Precondition: a secret holds at most 12 stages (CSMS.0203). */
function requireStageLimit(s: SecretRecord): void {
  const count = Object.keys(s.stages).length;
  if (count > CSMS_LIMITS.stagesPerSecret) {
    throw new KeyholdError(CsmsErrors.StageLimit, `The secret ${s.name} would hold ${count} stages; at most ${CSMS_LIMITS.stagesPerSecret} are allowed.`, 400);
  }
}

export function getStage(s: SecretRecord, stage: string): Stage {
  const p = s.stages[stage];
  if (!p) throw new KeyholdError(CsmsErrors.NotFound, `The secret ${s.name} has no stage ${stage}.`, 404);
  return { name: stage, update_time: p.update_time, secret_name: s.name, version_id: p.version_id };
}

/** Precondition: SYSCURRENT and SYSPREVIOUS cannot be deleted (CSMS.0105). */
export function deleteStage(s: SecretRecord, stage: string): void {
  if ((SYSTEM_STAGES as readonly string[]).includes(stage))
    throw new KeyholdError(CsmsErrors.BuiltInStage, `The built-in stage ${stage} cannot be deleted.`, 400);
  getStage(s, stage);
  delete s.stages[stage];
}
