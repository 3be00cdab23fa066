/**
 * Turning a write into what the write scripts store: options checked, values
 * serialized (all before anything is sent), the entry header (write time,
 * stale window, tags and their stamp) and the size limit applied, and the write guard's
 * arguments.
 */
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import { UnserializableValueError } from '../../codec/errors.js';
import { oversize, ValueTooLargeError } from '../../codec/value-size.js';
import type { StoreSetOptions } from '../contract.js';
import { RedisStoreError } from './errors.js';
import { isOne, newGeneration, stampedHeaderOf, suffixOf } from './keyspace.js';
import { BATCH, type NamespaceScope } from './scope.js';
import { WRITE } from './scripts/write.js';
import { WRITE_IF_ABSENT } from './scripts/write-if-absent.js';
import { tagClockText, tagList } from './tags.js';
import { guardArgs, RedisLoadToken } from './write-guard.js';

/** A write, ready to send: PX, the guard's arguments and the stored texts. */
interface PreparedWrite {
  readonly px: string;
  /** Script arguments of the write guard; `undefined`: the write must store nothing. */
  readonly guard: readonly string[] | undefined;
  /** Key suffix and stored text, alternating. */
  readonly records: readonly string[];
}

/**
 * Stores every pair (one WRITE call per {@link BATCH} entries); with a
 * `loadToken`, keys deleted (or the namespace cleared) since it was taken are
 * skipped, and an unguardable token stores nothing.
 */
export async function writeEntries(
  scope: NamespaceScope,
  op: string,
  entries: Iterable<readonly [StoreKey, unknown]>,
  options: StoreSetOptions | undefined,
): Promise<void> {
  const { px, guard, records } = await prepareWrite(scope, op, entries, options);
  if (guard === undefined) {
    await scope.skip(op);
    return;
  }
  const batches: Promise<unknown>[] = [];
  for (let start = 0; start < records.length; start += 2 * BATCH) {
    batches.push(scope.run(op, WRITE, [newGeneration(), px, ...guard, ...records.slice(start, start + 2 * BATCH)]));
  }
  await Promise.all(batches);
}

/** Stores `value` if no live entry exists (and, with a `loadToken`, the key was not invalidated since). */
export async function writeIfAbsent(
  scope: NamespaceScope,
  key: StoreKey,
  value: unknown,
  options: StoreSetOptions | undefined,
): Promise<boolean> {
  const { px, guard, records } = await prepareWrite(scope, 'setIfNotExists', [[key, value]], options);
  if (guard === undefined) {
    await scope.skip('setIfNotExists');
    return false;
  }
  return isOne(await scope.run('setIfNotExists', WRITE_IF_ABSENT, [newGeneration(), px, ...guard, ...records]));
}

/** `value` if it is a positive finite number of milliseconds, else a TypeError naming `option`. */
export function positive(scope: NamespaceScope, value: number, op: string, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(messages.BAD_DURATION(`${scope.where}.${op}()`, option, value));
  }
  return value;
}

/** Validates and serializes a write; resolves what to send (`records`: suffix and stored text, alternating). */
async function prepareWrite(
  scope: NamespaceScope,
  op: string,
  entries: Iterable<readonly [StoreKey, unknown]>,
  options: StoreSetOptions | undefined,
): Promise<PreparedWrite> {
  const { px, stale, tags } = expiry(scope, options, op);
  let guard = guardArgs(scope, options?.loadToken, op);
  // Serialize everything first: a value that cannot be stored rejects before anything is written.
  const keys: StoreKey[] = [];
  const pairs: [string, string][] = [];
  for (const [key, value] of entries) {
    keys.push(key);
    pairs.push([suffixOf(key), serialize(scope, value)]);
  }
  // An expiring entry records when it was written (its age, for explain()); an eternal one has none.
  const header = px === '' ? scope.context.header : stampedHeaderOf(scope.context.header, Date.now());
  let head = `${header}${stale === undefined ? '' : Math.ceil(stale)}`;
  let body = '';
  if (tags !== undefined && guard !== undefined) {
    const stamp = await stampFor(scope, options, op);
    if (stamp === undefined) guard = undefined;
    head = `${head}t${stamp ?? 0},${tags.length}`;
    body = tags;
  }
  const records: string[] = [];
  pairs.forEach(([suffix, payload], i) => {
    const record = `${head}|${body}${payload}`;
    assertFits(scope, op, keys[i] as StoreKey, record);
    records.push(suffix, record);
  });
  return { px, guard, records };
}

/** PX, stale window and tags of a write; throws a TypeError for a bad ttl, failSafe or tags. */
function expiry(
  scope: NamespaceScope,
  options: StoreSetOptions | undefined,
  op: string,
): { px: string; stale: number | undefined; tags: string | undefined } {
  const tags = options?.tags === undefined ? undefined : tagList(options.tags, `${scope.where}.${op}()`);
  const ttl = options?.ttl === undefined ? scope.ttl : positive(scope, options.ttl, op, 'ttl');
  const failSafe = options?.failSafe;
  if (failSafe !== undefined && !(Number.isFinite(failSafe) && failSafe >= 0)) {
    throw new TypeError(messages.BAD_DURATION(`${scope.where}.${op}()`, 'failSafe', failSafe));
  }
  if (ttl === undefined) return { px: '', stale: undefined, tags };
  return { px: String(Math.ceil(ttl + (failSafe ?? 0))), stale: failSafe, tags };
}

/** The serialized value (reported and rethrown as an {@link UnserializableValueError} if it cannot be). */
function serialize(scope: NamespaceScope, value: unknown): string {
  try {
    return scope.context.serializer.serialize(value);
  } catch (cause) {
    scope.connection.counts.unserializable++;
    const message = messages.UNSTORABLE_VALUE(scope.where, cause);
    const error =
      cause instanceof UnserializableValueError
        ? new UnserializableValueError(message, cause.path, cause.what, { cause })
        : new UnserializableValueError(message, 'value', 'a value', { cause });
    scope.connection.emit(new RedisStoreError('E_UNSERIALIZABLE', error.message, 'set', scope.name, { cause: error }));
    throw error;
  }
}

/**
 * The tag clock reading a tagged write records: `tagStamp` if given, else
 * the load token's, else the clock now. `undefined` (store nothing) for a
 * token without one (a Cluster store's first tagged load).
 */
async function stampFor(
  scope: NamespaceScope,
  options: StoreSetOptions | undefined,
  op: string,
): Promise<string | undefined> {
  scope.context.tagged = true;
  const given = options?.tagStamp;
  if (given !== undefined) {
    if (typeof given !== 'number' || !Number.isFinite(given) || given < 0) {
      throw new TypeError(messages.BAD_NONNEGATIVE_NUMBER(`${scope.where}.${op}()`, 'tagStamp', given));
    }
    return String(Math.floor(given));
  }
  const token = options?.loadToken;
  if (token instanceof RedisLoadToken) return token.stamp;
  return tagClockText(scope, op);
}

/** Throws (counted and reported) a {@link ValueTooLargeError} for an entry over `maxValueSize`. */
function assertFits(scope: NamespaceScope, op: string, key: StoreKey, record: string): void {
  const limit = scope.context.maxValueSize;
  const size = oversize(record, limit);
  if (size === undefined) return;
  scope.connection.counts.tooLarge++;
  const message = messages.VALUE_TOO_LARGE(scope.where, JSON.stringify(key), size, limit);
  const error = new ValueTooLargeError(message, key, size, limit);
  scope.connection.emit(new RedisStoreError('E_VALUE_TOO_LARGE', message, op, scope.name, { cause: error }));
  throw error;
}
