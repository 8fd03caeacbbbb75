/** CSMS operations (shared/operations/csms.ts) bound to their implementations. */
import type { Handlers } from '../../../shared/operations/index.js';
import type { csmsOperations } from '../../../shared/operations/csms.js';
import { backupSecret, restoreFromBlob } from './backup.js';
import { usableCmk } from './cmk.js';
import type { SecretsContext } from './context.js';
import { createEvent, deleteEvent, getEvent, listEvents, listNotifications, updateEvent } from './events.js';
import { generatePassword } from './password-generator.js';
import { getSecret, requireEnabled, SECRETS_TABLE, toSecret, toVersionMetadata } from './records.js';
import { rotate } from './rotation.js';
import { batchImport, createSecret, deleteSecretNow, listSecrets, restoreSecret, scheduleDeletion, updateSecret } from './secrets.js';
import { deleteStage, getStage, pointStage } from './stages.js';
import { addVersion, listVersions, resolveVersion, revealVersion, setExpiry, valueOf } from './versions.js';

export const csmsHandlers: Handlers<typeof csmsOperations, SecretsContext> = {
  async createSecret(ctx, input) {
    return { secret: toSecret(await createSecret(ctx, input)) };
  },

  listSecrets(ctx, input) {
    return listSecrets(ctx, input);
  },

  showSecret(ctx, input) {
    return { secret: toSecret(getSecret(ctx.store, input.secret_name)) };
  },

  updateSecret(ctx, input) {
    return { secret: toSecret(updateSecret(ctx, input)) };
  },

  deleteSecret(ctx, input) {
    deleteSecretNow(ctx, getSecret(ctx.store, input.secret_name));
    return {};
  },

  deleteSecretForSchedule(ctx, input) {
    return { secret: toSecret(scheduleDeletion(ctx, input.secret_name, input.recovery_window_in_days)) };
  },

  restoreSecret(ctx, input) {
    return { secret: toSecret(restoreSecret(ctx, input.secret_name)) };
  },

  createSecretVersion(ctx, input) {
    const s = getSecret(ctx.store, input.secret_name);
    requireEnabled(s);
    const meta = addVersion(ctx, s, usableCmk(ctx, s.kms_key_id), valueOf(input), { stages: input.version_stages, expire_time: input.expire_time });
    return { version_metadata: toVersionMetadata(s, meta) };
  },

  listSecretVersions(ctx, input) {
    return listVersions(getSecret(ctx.store, input.secret_name), input);
  },

  showSecretVersion(ctx, input) {
    const s = getSecret(ctx.store, input.secret_name);
    requireEnabled(s);
    const v = resolveVersion(s, input.version_id);
    return { version: { version_metadata: toVersionMetadata(s, v), ...revealVersion(ctx, s, v) } };
  },

  updateVersion(ctx, input) {
    const s = getSecret(ctx.store, input.secret_name);
    requireEnabled(s);
    return { version_metadata: toVersionMetadata(s, setExpiry(ctx, s, input.version_id, input.expire_time)) };
  },

  showSecretStage(ctx, input) {
    return { stage: getStage(getSecret(ctx.store, input.secret_name), input.stage_name) };
  },

  updateSecretStage(ctx, input) {
    const s = getSecret(ctx.store, input.secret_name);
    requireEnabled(s);
    resolveVersion(s, input.version_id);
    pointStage(s, input.stage_name, input.version_id, ctx.now());
    s.update_time = ctx.now();
    ctx.store.put(SECRETS_TABLE, s.name, s);
    return { stage: getStage(s, input.stage_name) };
  },

  deleteSecretStage(ctx, input) {
    const s = getSecret(ctx.store, input.secret_name);
    requireEnabled(s);
    deleteStage(s, input.stage_name);
    s.update_time = ctx.now();
    ctx.store.put(SECRETS_TABLE, s.name, s);
    return {};
  },

  rotateSecret(ctx, input) {
    return rotate(ctx, getSecret(ctx.store, input.secret_name));
  },

  createSecretEvent(ctx, input) {
    return { event: createEvent(ctx, input) };
  },

  listSecretEvents(ctx, input) {
    return listEvents(ctx.store, input);
  },

  showSecretEvent(ctx, input) {
    return { event: getEvent(ctx.store, input.event_name) };
  },

  updateSecretEvent(ctx, input) {
    return { event: updateEvent(ctx, input) };
  },

  deleteSecretEvent(ctx, input) {
    deleteEvent(ctx, input.event_name);
    return {};
  },

  listNotificationRecords(ctx) {
    const records = listNotifications(ctx.store);
    return { records, page_info: { current_count: records.length } };
  },

  downloadSecretBlob(ctx, input) {
    const s = getSecret(ctx.store, input.secret_name);
    requireEnabled(s);
    return { secret_blob: backupSecret(ctx, s) };
  },

  uploadSecretBlob(ctx, input) {
    return { secret: toSecret(restoreFromBlob(ctx, input.secret_blob)) };
  },

  batchImportSecrets(ctx, input) {
    return batchImport(ctx, input.secrets);
  },

  generateRandomPassword(_ctx, input) {
    return { password: generatePassword(input) };
  },
};
