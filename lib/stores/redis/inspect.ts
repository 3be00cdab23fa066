/**
 * `inspect()` of a Redis namespace: the key's entry, stale ones included
 * (freshness left and tags), and its last invalidation: this process's own
 * record, or a later delete Redis logged for the key (from any process,
 * within the tombstone window).
 */
import type { StoreKey } from '../../keys/keys.js';
import type { EntryInspection, StoreInspection } from '../contract.js';
import { knownOrLogged, type InvalidationLog, type InvalidationRecord } from '../invalidation-log.js';
import { suffixOf } from './keyspace.js';
import { parse, readRows } from './reader.js';
import type { NamespaceScope } from './scope.js';
import { INSPECT_LOG } from './scripts/inspect-log.js';
import { checkTags } from './tags.js';

/** Longest tag list read back from an entry's header (characters); longer ones are reported as unreadable. */
const MAX_TAGS_TEXT = 64 * 1024;

/**
 * What a Redis namespace holds for `key`; a failure (Redis unavailable) is
 * counted and reported like any read, and answers with what this process
 * knows.
 */
export async function inspectRedis(
  scope: NamespaceScope,
  log: InvalidationLog,
  key: StoreKey,
): Promise<StoreInspection> {
  const [entry, logged] = await Promise.all([inspectEntry(scope, key), loggedDelete(scope, key)]);
  // Redis's clock is read as "how long ago", so its clock and this process's need not agree.
  return { entry, lastInvalidation: knownOrLogged(log.lastFor(key), logged) };
}

async function inspectEntry(scope: NamespaceScope, key: StoreKey): Promise<EntryInspection | undefined> {
  if (!scope.connection.available()) return undefined;
  const row = (await readRows(scope, 'inspect', 's', [key]))?.[0];
  if (typeof row !== 'string') return undefined;
  const split = row.indexOf(';');
  const field = row.slice(0, split);
  const record = parse(scope, key, row.slice(split + 1));
  if (record === undefined || (await checkTags(scope, 'inspect', [key], [record]))[0] !== true) return undefined;
  const ttlLeftMs = /^-?\d{1,16}$/.test(field) ? Number(field) : undefined;
  return {
    tier: 'redis',
    ttlLeftMs,
    // The writer's clock against this process's; an eternal entry (or one written before entries had a write time): none.
    ageMs:
      ttlLeftMs === undefined || record.written === undefined ? undefined : Math.max(0, Date.now() - record.written),
    tags: record.tags === undefined ? undefined : tagList(record.tags),
  };
}

/** The tags of an entry's header, when they are a list of strings (anything else: none, untrusted input). */
function tagList(text: string): readonly string[] | undefined {
  if (text.length > MAX_TAGS_TEXT) return undefined;
  try {
    const tags: unknown = JSON.parse(text);
    return Array.isArray(tags) && tags.every((tag) => typeof tag === 'string') ? (tags as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The key's last delete in Redis's delete log, on this process's clock (`from` unknown). */
async function loggedDelete(scope: NamespaceScope, key: StoreKey): Promise<InvalidationRecord | undefined> {
  if (!scope.connection.available()) return undefined;
  let reply: unknown;
  try {
    reply = await scope.run('inspect', INSPECT_LOG, [suffixOf(key)]);
  } catch {
    return undefined;
  }
  if (!Array.isArray(reply) || reply.length !== 3) return undefined;
  const [score, seconds, micros] = reply as unknown[];
  const at = Number(score);
  const now = Number(seconds) * 1e6 + Number(micros);
  if (typeof score !== 'string' || !Number.isFinite(at) || !Number.isFinite(now)) return undefined;
  const agoMs = Math.max(0, (now - at) / 1000);
  return { kind: 'key', at: Date.now() - agoMs, from: undefined };
}
