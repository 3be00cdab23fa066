import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Serializer } from '../../codec/serializer.js';
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import type { MemoryNamespace } from './memory-namespace.js';

/**
 * What {@link MemoryStore.restore} did.
 *
 * @example
 * ```ts
 * const { restored, dropped, error } = await store.restore('.cache/snapshot.json');
 * ```
 */
export interface RestoreResult {
  /** Entries loaded (they appear when their namespace is first used). */
  readonly restored: number;
  /** Entries left out: expired since the snapshot, or undecodable. */
  readonly dropped: number;
  /** Why nothing was restored (corrupt or unreadable file); the store starts empty. */
  readonly error?: Error;
}

/**
 * One snapshotted entry: key, serialized value, remaining TTL and fresh time
 * (ms, null: none), tags, and age (ms; null: eternal or unknown). Version 1
 * snapshots have no age.
 */
type SnapshotEntry = [
  key: StoreKey,
  value: string,
  ttl: number | null,
  fresh: number | null,
  tags: string[] | null,
  age?: number | null,
];

/**
 * A restored entry waiting for its namespace: the value decoded, its times
 * as instants (ms since the epoch, `Date.now()`'s clock), so that it keeps
 * counting down while it waits: when it expires and stops being fresh
 * (null: never), and when it was written (null: unknown).
 */
type RestoredEntry = [
  key: StoreKey,
  value: unknown,
  expiresAt: number | null,
  freshUntil: number | null,
  tags: string[] | null,
  writtenAt: number | null,
];

/**
 * Restored entries waiting for their namespace to be created, by namespace id
 * (a JSON array of names). @internal
 */
export type PendingEntries = Map<string, RestoredEntry[]>;

interface Snapshot {
  readonly format: 'memokit-memory-snapshot';
  /** 2 adds each entry's age; version 1 files are read too (ages unknown). */
  readonly version: 1 | 2;
  readonly savedAt: number;
  readonly serializer: string;
  /** Namespace id (JSON path) → entries. Number keys are kept as JSON numbers; NaN/Infinity are not snapshotted. */
  readonly namespaces: Record<string, SnapshotEntry[]>;
}

const SNAPSHOT_FORMAT = 'memokit-memory-snapshot';

/**
 * Writes every live entry of `namespaces`, and the restored entries no
 * namespace claimed yet (kept for the next run), to `path` atomically
 * (temporary file, then rename). Values `serializer` cannot encode are
 * skipped and counted. @internal
 */
export async function writeSnapshot(
  path: string,
  serializer: Serializer,
  now: number,
  namespaces: Iterable<readonly [id: string, namespace: MemoryNamespace]>,
  pending: PendingEntries,
): Promise<{ saved: number; skipped: number }> {
  const snapshotted: Record<string, SnapshotEntry[]> = {};
  let saved = 0;
  let skipped = 0;
  for (const [id, namespace] of namespaces) {
    const entries: SnapshotEntry[] = [];
    for (const [key, entry, remaining, age] of namespace.liveEntries()) {
      if (typeof key === 'number' && !Number.isFinite(key)) continue;
      try {
        entries.push([
          key,
          serializer.serialize(entry.value),
          Number.isFinite(remaining) ? remaining : null,
          entry.freshUntil === 0 ? null : Math.max(0, entry.freshUntil - now),
          entry.tags === undefined ? null : [...entry.tags],
          age ?? null,
        ]);
      } catch {
        skipped++;
      }
    }
    if (entries.length === 0) continue;
    snapshotted[id] = entries;
    saved += entries.length;
  }
  const at = Date.now();
  for (const [id, entries] of pending) {
    const kept: SnapshotEntry[] = [];
    for (const entry of entries) {
      const left = leftAt(entry, at);
      if (left !== undefined)
        kept.push([entry[0], serializer.serialize(entry[1]), left.ttl, left.fresh, entry[4], left.age]);
    }
    snapshotted[id] = [...(snapshotted[id] ?? []), ...kept];
    saved += kept.length;
  }
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: 2,
    savedAt: Date.now(),
    serializer: serializer.format,
    namespaces: snapshotted,
  };
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(snapshot));
  await rename(temporary, path);
  return { saved, skipped };
}

/**
 * Reads the snapshot at `path` into `pending`: entries that expired since
 * are dropped, the others wait for their namespace (`adopt` is called with
 * the id of each namespace that got some). A missing file restores nothing;
 * a corrupt one is reported (process warning `MEMOKIT_SNAPSHOT_CORRUPT` and
 * `error` in the result), never thrown. @internal
 */
export async function readSnapshot(
  path: string,
  serializer: Serializer,
  pending: PendingEntries,
  adopt: (id: string) => void,
): Promise<RestoreResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { restored: 0, dropped: 0 };
    return reportCorrupt(path, error);
  }
  let snapshot: Snapshot;
  try {
    snapshot = parseSnapshot(text, serializer.format);
  } catch (error) {
    return reportCorrupt(path, error);
  }
  const now = Date.now();
  const savedAt = Math.min(snapshot.savedAt, now); // a snapshot "from the future" (clock skew) counts from now
  let restored = 0;
  let dropped = 0;
  for (const [id, entries] of Object.entries(snapshot.namespaces)) {
    const kept: RestoredEntry[] = [];
    for (const [key, text, ttl, fresh, tags, age] of entries) {
      if (ttl !== null && savedAt + ttl <= now) {
        dropped++;
        continue;
      }
      try {
        const value = serializer.deserialize(text);
        kept.push([
          key,
          value,
          ttl === null ? null : savedAt + ttl,
          fresh === null ? null : savedAt + fresh,
          tags,
          typeof age === 'number' ? savedAt - age : null,
        ]);
      } catch {
        dropped++;
      }
    }
    restored += kept.length;
    pending.set(id, [...(pending.get(id) ?? []), ...kept]);
    adopt(id);
  }
  return { restored, dropped };
}

/**
 * Moves the restored entries waiting for namespace `id` into it, if a
 * snapshot had any: each with what is left of its lifetime now (those that
 * expired while waiting are dropped). @internal
 */
export function adoptPending(pending: PendingEntries, id: string, namespace: MemoryNamespace): void {
  const entries = pending.get(id);
  if (entries === undefined) return;
  pending.delete(id);
  const now = Date.now();
  for (const entry of entries) {
    const left = leftAt(entry, now);
    if (left === undefined) continue;
    const [key, value, , , tags] = entry;
    const { ttl, fresh } = left;
    const age = left.age ?? undefined;
    if (ttl === null) namespace.putRestored(key, value, undefined, undefined, tags ?? undefined, undefined);
    else if (fresh === null) namespace.putRestored(key, value, ttl, undefined, tags ?? undefined, age);
    else namespace.putRestored(key, value, fresh, ttl - fresh, tags ?? undefined, age);
  }
}

/**
 * What is left at `at` of a waiting entry's lifetime, as a snapshot records
 * it (ms; null: never expires, no stale window, age unknown); `undefined`
 * once it expired.
 */
function leftAt(
  [, , expiresAt, freshUntil, , writtenAt]: RestoredEntry,
  at: number,
): { ttl: number | null; fresh: number | null; age: number | null } | undefined {
  if (expiresAt !== null && expiresAt <= at) return undefined;
  return {
    ttl: expiresAt === null ? null : expiresAt - at,
    fresh: freshUntil === null ? null : Math.max(0, freshUntil - at),
    age: writtenAt === null ? null : Math.max(0, at - writtenAt),
  };
}

function reportCorrupt(path: string, error: unknown): RestoreResult {
  const reported = new Error(messages.SNAPSHOT_CORRUPT(path, error), { cause: error });
  process.emitWarning(reported.message, { code: 'MEMOKIT_SNAPSHOT_CORRUPT' });
  return { restored: 0, dropped: 0, error: reported };
}

function parseSnapshot(text: string, format: string): Snapshot {
  const parsed = JSON.parse(text) as Partial<Snapshot> | null;
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    parsed.format !== SNAPSHOT_FORMAT ||
    (parsed.version !== 1 && parsed.version !== 2)
  ) {
    throw new Error('not a memokit memory snapshot (version 1 or 2)');
  }
  const fields = parsed.version === 1 ? 5 : 6;
  if (parsed.serializer !== format)
    throw new Error(`written with serializer "${String(parsed.serializer)}", not "${format}"`);
  if (typeof parsed.savedAt !== 'number' || typeof parsed.namespaces !== 'object' || parsed.namespaces === null) {
    throw new Error('missing savedAt or namespaces');
  }
  for (const entries of Object.values(parsed.namespaces)) {
    const ok =
      Array.isArray(entries) &&
      entries.every(
        (e) =>
          Array.isArray(e) &&
          e.length === fields &&
          (typeof e[0] === 'string' || typeof e[0] === 'number') &&
          typeof e[1] === 'string' &&
          (e[2] === null || typeof e[2] === 'number') &&
          (e[3] === null || typeof e[3] === 'number') &&
          (e[4] === null || (Array.isArray(e[4]) && e[4].every((t) => typeof t === 'string'))) &&
          (fields === 5 || e[5] === null || (typeof e[5] === 'number' && Number.isFinite(e[5]) && e[5] >= 0)),
      );
    if (!ok) throw new Error('malformed entry');
  }
  return parsed as Snapshot;
}
