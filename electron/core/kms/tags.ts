/** Key tags: per-key add/remove, project tag list and query by tags (reference §4.3 Tags). */
import { KeyholdError } from '../../../shared/errors.js';
import type { Handlers } from '../../../shared/operations/index.js';
import type { tagOperations, TagItem } from '../../../shared/operations/kms.js';
import type { KmsContext } from './context.js';
import { CMK_TABLE, getKey, requireNotPendingDeletion, toKeyDetails, type CmkRecord } from './keys.js';
import { KmsErrors } from '../../../shared/operations/kms/errors.js';

export const MAX_TAGS_PER_KEY = 10;
const BANNED_CHARS = new Set(['*', '<', '>', '\\', '=']);
/** ASCII 0-31 and * < > \ = are not allowed in tag keys and values. */
function hasBanned(s: string): boolean {
  return [...s].some((c) => c.charCodeAt(0) < 32 || BANNED_CHARS.has(c));
}

/** Tag rules: key 1-36 characters, value 0-43, none of ASCII 0-31 * < > \ =. */
function checkTag(t: TagItem): void {
  if (t.key.length < 1 || t.key.length > 36) throw new KeyholdError(KmsErrors.TagKeyLength, 'Invalid tag key: it must be 1-36 characters.', 400);
  if (hasBanned(t.key)) throw new KeyholdError(KmsErrors.TagBadKey, 'Invalid tag key: it must not contain control characters or * < > \\ =.', 400);
  if (t.value.length > 43) throw new KeyholdError(KmsErrors.TagValueLength, `Invalid tag value of ${t.key}: it must be 0-43 characters.`, 400);
  if (hasBanned(t.value))
    throw new KeyholdError(KmsErrors.TagBadValue, `Invalid tag value of ${t.key}: it must not contain control characters or * < > \\ =.`, 400);
}

function tagsOf(k: CmkRecord): TagItem[] {
  return k.tags ?? [];
}

function addTags(ctx: KmsContext, key: CmkRecord, tags: TagItem[]): void {
  tags.forEach(checkTag);
  const merged = new Map(tagsOf(key).map((t) => [t.key, t.value]));
  for (const t of tags) merged.set(t.key, t.value);
  if (merged.size > MAX_TAGS_PER_KEY) throw new KeyholdError(KmsErrors.TagTooMany, `Too many tags: a key holds at most ${MAX_TAGS_PER_KEY}.`, 400);
  ctx.store.put(CMK_TABLE, key.key_id, { ...key, tags: [...merged].map(([k, value]) => ({ key: k, value })) });
}

function removeTags(ctx: KmsContext, key: CmkRecord, keys: string[]): void {
  ctx.store.put(CMK_TABLE, key.key_id, { ...key, tags: tagsOf(key).filter((t) => !keys.includes(t.key)) });
}

/** Precondition: tags change only on keys that are not pending deletion. */
function taggable(ctx: KmsContext, keyId: string): CmkRecord {
  const key = getKey(ctx, keyId);
  requireNotPendingDeletion(key);
  return key;
}

export const tagHandlers: Handlers<typeof tagOperations, KmsContext> = {
  createKmsTag(ctx, input) {
    addTags(ctx, taggable(ctx, input.key_id), [input.tag]);
    return {};
  },

  batchCreateKmsTags(ctx, input) {
    if (input.action !== 'create' && input.action !== 'delete')
      throw new KeyholdError(KmsErrors.TagBadAction, 'Invalid action: it must be create or delete.', 400);
    if (input.tags.length === 0) throw new KeyholdError(KmsErrors.TagListEmpty, 'Invalid tags: the list is empty.', 400);
    if (input.tags.length > 20) throw new KeyholdError(KmsErrors.TagBadListLength, 'Invalid tags: at most 20 per request.', 400);
    const key = taggable(ctx, input.key_id);
    if (input.action === 'create') addTags(ctx, key, input.tags);
    else
      removeTags(
        ctx,
        key,
        input.tags.map((t) => t.key),
      );
    return {};
  },

  deleteTag(ctx, input) {
    const key = taggable(ctx, input.key_id);
    if (!tagsOf(key).some((t) => t.key === input.key))
      throw new KeyholdError(KmsErrors.TagBadKey, `Invalid tag key: the key ${key.key_id} has no tag ${input.key}.`, 404);
    removeTags(ctx, key, [input.key]);
    return {};
  },

  showKmsTags(ctx, input) {
    const tags = tagsOf(getKey(ctx, input.key_id));
    return { tags, existTagsNum: tags.length };
  },

  listKmsTags(ctx) {
    const byKey = new Map<string, Set<string>>();
    for (const k of ctx.store.list<CmkRecord>(CMK_TABLE)) for (const t of tagsOf(k)) (byKey.get(t.key) ?? byKey.set(t.key, new Set()).get(t.key))?.add(t.value);
    return { tags: [...byKey].sort(([a], [b]) => a.localeCompare(b)).map(([key, values]) => ({ key, values: [...values].sort() })) };
  },

  listKmsByTags(ctx, input) {
    if (input.action !== 'filter' && input.action !== 'count')
      throw new KeyholdError(KmsErrors.TagBadAction, 'Invalid action: it must be filter or count.', 400);
    if (Number(input.offset) < 0) throw new KeyholdError(KmsErrors.TagBadOffset, 'Invalid offset: it must not be negative.', 400);
    if (input.tags.length > 10 || input.tags.some((t) => t.values.length > 10))
      throw new KeyholdError(KmsErrors.TagBadListLength, 'Invalid tags: at most 10 tag keys with at most 10 values each.', 400);
    if (input.matches.some((m) => m.key !== 'resource_name'))
      throw new KeyholdError(KmsErrors.TagBadMatches, 'Invalid matches: only resource_name can be matched.', 400);
    const hits = ctx.store
      .list<CmkRecord>(CMK_TABLE)
      .filter((k) => input.tags.every((f) => tagsOf(k).some((t) => t.key === f.key && (f.values.length === 0 || f.values.includes(t.value)))))
      .filter((k) => input.matches.every((m) => m.value === '' || k.key_alias.includes(m.value)))
      .sort((a, b) => a.creation_date - b.creation_date || a.key_id.localeCompare(b.key_id));
    if (input.action === 'count') return { total_count: hits.length };
    const offset = Number(input.offset);
    const resources = hits
      .slice(offset, offset + Number(input.limit))
      .map((k) => ({ resource_id: k.key_id, resource_name: k.key_alias, resource_detail: toKeyDetails(k, ctx), tags: tagsOf(k) }));
    return { resources, total_count: hits.length };
  },
};
