/**
 * Tags in a Redis store: the tag list a tagged entry stores, the tag clock,
 * tag invalidation (one script call on the store's tag record, reaching every
 * namespace and process), and on a Cluster the check of tagged entries a read
 * found (the record lives in another slot).
 */
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import { assertTags } from '../tags.js';
import { isOne, tagsJson, type StoredRecord } from './keyspace.js';
import { BATCH, type NamespaceScope } from './scope.js';
import { INVALIDATE_TAGS } from './scripts/invalidate-tags.js';
import { TAG_CHECK } from './scripts/tag-check.js';
import { TAG_STAMP } from './scripts/tag-stamp.js';
import type { RedisClient } from './types.js';

/** Checks tags and returns them as stored (an ASCII JSON array); a TypeError naming `where` if they are not. */
export function tagList(tags: unknown, where: string): string {
  assertTags(where, tags);
  for (const tag of tags) {
    if (!(tag as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw new TypeError(messages.REDIS_TAG_NOT_WELL_FORMED(where, tag));
    }
  }
  return tagsJson(tags);
}

/**
 * Whether each record is live as far as tags go. On a single node the
 * scripts already dropped invalidated entries; on a Cluster tagged entries
 * are checked here with one TAG_CHECK call, and invalid ones deleted. If the
 * check fails, tagged entries are misses (never possibly stale).
 */
export async function checkTags(
  scope: NamespaceScope,
  op: string,
  keys: readonly StoreKey[],
  records: readonly (StoredRecord | undefined)[],
): Promise<boolean[]> {
  const valid = records.map(() => true);
  if (!scope.context.cluster) return valid;
  const tagged: number[] = [];
  const args: string[] = [];
  records.forEach((record, i) => {
    if (record?.tags === undefined || record.stamp === undefined) return;
    tagged.push(i);
    args.push(record.stamp, record.tags);
  });
  if (tagged.length === 0) return valid;
  let replies: unknown[] = [];
  const connection = scope.connection;
  try {
    const reply = await connection.exec(scope.where, op, scope.name, () =>
      TAG_CHECK.run(connection.client, [scope.context.tagKey], args),
    );
    if (Array.isArray(reply)) replies = reply as unknown[];
    scope.fixed(op, replies[tagged.length]);
  } catch {
    // Reported by exec; the tagged entries are misses.
  }
  tagged.forEach((index, i) => {
    const ok = isOne(replies[i]);
    valid[index] = ok;
    const record = records[index];
    if (!ok && replies[i] !== undefined && record !== undefined) {
      scope.deleteIf(keys[index] as StoreKey, record.text);
    }
  });
  return valid;
}

/** The store's tag clock now (server microseconds), as text. */
export function tagClockText(scope: NamespaceScope, op: string): Promise<string> {
  const connection = scope.connection;
  return connection
    .exec(scope.where, op, scope.name, () => TAG_STAMP.run(connection.client, [scope.context.tagKey], []))
    .then((reply) => String(scope.outcome(op, reply)));
}

/**
 * Advances the tag clock for `tags` (in slices of {@link BATCH}); a slice
 * that failed is remembered for replay, and the call rejects.
 */
export async function invalidateTags(scope: NamespaceScope, tags: readonly string[]): Promise<void> {
  tagList(tags, `${scope.where}.invalidateTags()`);
  const connection = scope.connection;
  const calls: Promise<unknown>[] = [];
  const { tagKey, tagTtl } = scope.context;
  for (let start = 0; start < tags.length; start += BATCH) {
    const slice = tags.slice(start, start + BATCH);
    const send = (client: RedisClient): Promise<unknown> =>
      INVALIDATE_TAGS.run(client, [tagKey], [String(tagTtl), ...slice]);
    calls.push(
      connection
        .exec(scope.where, 'invalidateTags', scope.name, () => send(connection.client))
        .then((reply) => scope.outcome('invalidateTags', reply))
        .catch((error: unknown) => {
          connection.remember({
            id: `t\0${JSON.stringify(slice)}`,
            op: 'invalidateTags',
            namespace: '',
            path: [],
            tags: slice,
            send,
          });
          throw error;
        }),
    );
  }
  await Promise.all(calls);
}
