/** CSMS operations (shared/operations/csms.ts) bound to their implementations. */
import type { Handlers } from '../../../shared/operations/index.js';
import type { csmsOperations } from '../../../shared/operations/csms.js';
import { restoreFromBlob, backupSecret } from './backup.js';
import type { SecretsContext } from './context.js';
import { setDue } from './due-index.js';
import { createEvent, deleteEvent, EVENTS_TABLE, getEvent, listNotifications } from './events.js';
import { page } from './paging.js';
import { generatePassword } from './password-generator.js';
import { getSecret, requireEnabled, SECRETS_TABLE, toSecret, toVersionMetadata } from './records.js';
import { rotate } from './rotation.js';
import { batchImport, createSecret, deleteSecretNow, listSecrets, restoreSecret, scheduleDeletion, updateSecret } from './secrets.js';
import { deleteStage, getStage, pointStage } from './stages.js';
import { addVersion, resolveVersion, revealVersion, valueOf } from './versions.js';
import { usableCmk } from './cmk.js';
import type { SecretEvent } from '../../../shared/operations/csms.js';

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
    const s = getSecret(ctx.store, input.secret_name);
    // Version ids sort by number, not by text (v10 comes after v9); a purged marker still works.
    const keysAfter = (after: string | undefined, n: number) =>
      s.versions
        .map((v) => v.id)
        .filter((id) => after === undefined || Number(id.slice(1)) > Number(after.slice(1)))
        .slice(0, n);
    const { items, page_info } = page(keysAfter, input.marker, input.limit, (id) => {
      const v = s.versions.find((x) => x.id === id);
      return v && toVersionMetadata(s, v);
    });
    return { version_metadatas: items, page_info };
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
    const v = resolveVersion(s, input.version_id);
    v.expire_time = input.expire_time;
    s.update_time = ctx.now();
    ctx.store.put(SECRETS_TABLE, s.name, s);
    setDue(ctx.store, 'expiry', `${s.name}/${v.id}`, v.expire_time);
    return { version_metadata: toVersionMetadata(s, v) };
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
    const keysAfter = (after: string | undefined, limit: number) => ctx.store.ids(EVENTS_TABLE, { after, limit });
    const { items, page_info } = page(keysAfter, input.marker, input.limit, (name) => ctx.store.read<SecretEvent>(EVENTS_TABLE, name));
    return { events: items, page_info };
  },

  showSecretEvent(ctx, input) {
    return { event: getEvent(ctx.store, input.event_name) };
  },

  updateSecretEvent(ctx, input) {
    const e = getEvent(ctx.store, input.event_name);
    const updated: SecretEvent = {
      ...e,
      ...(input.event_types ? { event_types: [...new Set(input.event_types)] } : {}),
      ...(input.state ? { state: input.state } : {}),
      ...(input.notification ? { notification: input.notification } : {}),
      update_time: ctx.now(),
    };
    ctx.store.put(EVENTS_TABLE, e.name, updated);
    return { event: updated };
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
