import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { RedisOptions } from 'ioredis';
import { parseByteSize, type ByteSize } from '../../util/byte-size.js';
import { parseDuration, type Duration } from '../../util/duration.js';
import { MemokitError } from '../../util/errors.js';
import { storeKeyToString, type StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import {
  assertSerializer,
  CorruptEntryError,
  DEFAULT_MAX_VALUE_SIZE,
  defaultSerializer,
  oversize,
  UnserializableValueError,
  ValueTooLargeError,
  type Serializer,
} from '../../codec/serialization.js';
import { assertTags, registerTagTarget, type TagTarget } from '../tags.js';
import type {
  CacheStore,
  LeaseRead,
  LoadReadOptions,
  NamespaceOptions,
  StoreEntry,
  StoreSetOptions,
  StoreStats,
} from '../contract.js';
import type {
  RedisClient,
  RedisClusterFailOpenOptions,
  RedisConnectionOptions,
  RedisFailOpenOptions,
} from './types.js';

export type { RedisClient } from './types.js';

/**
 * Options of a {@link RedisStore}. Give exactly one of `client`, `url` or
 * `redis` (`url` and `redis` may be combined).
 *
 * @example
 * ```ts
 * new RedisStore({ url: 'redis://127.0.0.1:6379/0', prefix: 'shop', ttl: '10m' });
 * new RedisStore({ client: existingIoredisClient, prefix: 'shop' });
 * new RedisStore({ redis: { host: '10.0.0.5', port: 6380, password }, timeout: 100 });
 * ```
 */
export interface RedisStoreOptions {
  /**
   * An existing ioredis `Redis` or `Cluster` client. The store uses it as it
   * is configured and leaves it open on {@link RedisStore.close}. For fail-open
   * behaviour configure it like {@link RedisStore.clientOptions} /
   * {@link RedisStore.clusterOptions} (no offline queue, bounded timeouts); the
   * store bounds every call by `timeout` either way.
   *
   * @default undefined
   */
  client?: RedisClient;
  /**
   * A `redis://[user:password@]host[:port][/db]` or `rediss://` URL. The store
   * creates (and on close, quits) its own client.
   *
   * @default undefined
   */
  url?: string;
  /**
   * ioredis options for a client the store creates. They override the store's
   * fail-open defaults ({@link RedisStore.clientOptions}); override those only
   * with care, e.g. `enableOfflineQueue: true` makes calls wait for a
   * connection instead of missing.
   *
   * @default undefined
   */
  redis?: RedisConnectionOptions;
  /**
   * Prepended to every key (`<prefix>:{<namespace>}:...`), so several apps can
   * share one Redis database. {@link RedisStore.clear} and namespaces never
   * touch keys of another prefix. No `{` or `}`.
   *
   * @default 'memokit'
   */
  prefix?: string;
  /**
   * Default time to live of entries written without one. Omitted: entries do
   * not expire unless a write gives a TTL (Redis' `maxmemory-policy` then
   * decides what is evicted).
   *
   * @default undefined (no expiry)
   */
  ttl?: Duration;
  /**
   * Longest wait for Redis on any call. A read that takes longer is a miss, a
   * write that takes longer rejects; either way Redis is then treated as
   * unavailable (calls are skipped at once) until it answers a PING again.
   *
   * @default 250 (milliseconds)
   */
  timeout?: Duration;
  /**
   * How often an unavailable store PINGs Redis to find out whether it is back.
   *
   * @default 500 (milliseconds)
   */
  retryInterval?: Duration;
  /**
   * Turns values into stored text and back.
   *
   * @default defaultSerializer (an {@link EnvelopeSerializer})
   */
  serializer?: Serializer;
  /**
   * The largest entry a write may store, in bytes of UTF-8 as sent to Redis:
   * the serialized (and, with {@link compressed}, compressed) value plus the
   * entry header (about 10 bytes, more with a stale window or tags). A number
   * of bytes, or a string with a unit: `'512kb'`, `'1mb'` (kb = 1024 bytes).
   *
   * A larger value is not stored: the write rejects with a
   * {@link ValueTooLargeError} (naming the key, its size and this limit),
   * counted as `tooLarge` in {@link RedisNamespace.redisStats} and emitted as
   * an `'error'` event with code `E_VALUE_TOO_LARGE`. A decorated method
   * still returns the value, uncached. Reads apply the same limit: a larger
   * entry found in Redis (written by another program, or by a store with a
   * larger limit) is never decoded; it is a miss, deleted, and counted and
   * emitted the same way. Redis itself refuses strings over its
   * `proto-max-bulk-len` (512 MB by default), and large values block it and
   * the network while they travel, so keep this well below that.
   *
   * @default 1048576 (1 MiB, memcached's default item size)
   * @example
   * ```ts
   * new RedisStore({ url: 'redis://127.0.0.1:6379', maxValueSize: '4mb' });
   * ```
   */
  maxValueSize?: ByteSize;
  /**
   * How long a delete is remembered (in the namespace's delete log) so that
   * loads of that key in flight in any process do not store their value
   * afterwards. A load that takes longer than this, while anything in its
   * namespace is deleted, stores nothing (conservative).
   *
   * @default '1m'
   */
  tombstoneTtl?: Duration;
  /**
   * How long a tag invalidation is remembered. When an invalidation finds
   * records older than this, it drops them and every tagged entry whose load
   * started before that point becomes a miss (conservative, never stale): keep
   * it above the longest TTL of tagged entries.
   *
   * @default '1d'
   */
  tagTtl?: Duration;
}

/**
 * Codes of {@link RedisStoreError}.
 *
 * @example
 * ```ts
 * const code: RedisStoreErrorCode = 'E_REDIS_TIMEOUT';
 * ```
 */
export type RedisStoreErrorCode =
  | 'E_REDIS_UNAVAILABLE'
  | 'E_REDIS_TIMEOUT'
  | 'E_REDIS_COMMAND'
  | 'E_REDIS_CONNECTION'
  | 'E_CORRUPT_ENTRY'
  | 'E_UNSERIALIZABLE'
  | 'E_VALUE_TOO_LARGE'
  | 'E_BROKEN_KEY';

/**
 * What went wrong talking to Redis, or with an entry. Emitted as the store's
 * `'error'` event; writes that did not happen reject with it.
 *
 * - `E_REDIS_UNAVAILABLE`: the call was skipped (not connected, or Redis
 *   stopped answering); only writes reject with it, it is never emitted.
 * - `E_REDIS_TIMEOUT`: no answer within the `timeout` option.
 * - `E_REDIS_COMMAND`: Redis or ioredis rejected the call (`cause` says why).
 * - `E_REDIS_CONNECTION`: the store's own client reported a connection error.
 * - `E_CORRUPT_ENTRY`: a stored entry could not be decoded, or its key held
 *   another Redis type than a string; it was read as a miss and deleted.
 * - `E_UNSERIALIZABLE`: a value could not be serialized; the write rejected
 *   with an {@link UnserializableValueError} (the `cause`).
 * - `E_VALUE_TOO_LARGE`: a value's entry is larger than the `maxValueSize`
 *   option; the write stored nothing and rejected with a
 *   {@link ValueTooLargeError} (the `cause`); or an entry read from Redis is
 *   larger than that: it was not decoded, was read as a miss and deleted.
 * - `E_BROKEN_KEY`: a key the store keeps beside entries (a namespace's
 *   generation key or delete log, the tag record, a lease key) held something
 *   the store never writes; it was repaired (the message says what that cost).
 *
 * @example
 * ```ts
 * store.on('error', (error) => logger.warn({ code: error.code, op: error.operation }, error.message));
 * ```
 */
export class RedisStoreError extends MemokitError {
  declare readonly code: RedisStoreErrorCode;
  /** The store operation, e.g. `get`, `set`, `clear`. */
  readonly operation: string;
  /** The namespace it ran in (`''` for the store's root). */
  readonly namespace: string;

  constructor(
    code: RedisStoreErrorCode,
    message: string,
    operation: string,
    namespace: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'RedisStoreError';
    this.operation = operation;
    this.namespace = namespace;
  }
}

/**
 * Figures of one {@link RedisStore} connection (shared by all its namespaces).
 *
 * @example
 * ```ts
 * const { available, errors, skipped } = store.redisStats();
 * ```
 */
export interface RedisStoreStats {
  /** Whether calls are currently sent to Redis. */
  readonly available: boolean;
  /**
   * Everything reported as an `'error'` event: timeouts + failures + corrupt +
   * unserializable + tooLarge + connection + repaired.
   */
  readonly errors: number;
  /** Calls that got no answer within `timeout`. */
  readonly timeouts: number;
  /** Calls Redis or ioredis rejected. */
  readonly failures: number;
  /** Connection errors reported by a client the store created. */
  readonly connectionErrors: number;
  /** Calls not sent because Redis was unavailable (reads missed, writes rejected at once). */
  readonly skipped: number;
  /** Entries that could not be decoded, or keys of another Redis type where an entry belongs (read as misses and deleted). */
  readonly corrupt: number;
  /** Writes rejected because the value could not be serialized. */
  readonly unserializable: number;
  /**
   * Entries larger than the `maxValueSize` option: writes rejected (nothing
   * was stored), and entries found by a read (not decoded; read as misses and
   * deleted).
   */
  readonly tooLarge: number;
  /**
   * Keys the store keeps beside entries (a namespace's generation key or
   * delete log, the tag record, a lease key) found holding something the
   * store never writes, and repaired.
   */
  readonly repaired: number;
}

/**
 * Events of a {@link RedisStore}.
 *
 * @example
 * ```ts
 * store.on('unavailable', (error) => logger.warn(`cache off: ${error.message}`));
 * store.on('available', () => logger.info('cache back'));
 * ```
 */
export interface RedisStoreEvents {
  /** A failure (see {@link RedisStoreError} codes). Only emitted when a listener is attached. */
  error: [error: RedisStoreError];
  /** Redis stopped answering; calls are skipped until it is back. */
  unavailable: [error: RedisStoreError];
  /** Redis answers again; calls are sent again. */
  available: [];
}

type Listener<E extends keyof RedisStoreEvents> = (...args: RedisStoreEvents[E]) => void;

const DEFAULT_PREFIX = 'memokit';
const DEFAULT_TIMEOUT = 250;
const DEFAULT_RETRY_INTERVAL = 500;
/** Keys per script call in getMany/setMany, so one call never blocks Redis for long. */
const BATCH = 500;
const STORE_OPTIONS = [
  'client',
  'url',
  'redis',
  'prefix',
  'ttl',
  'timeout',
  'retryInterval',
  'serializer',
  'maxValueSize',
  'tombstoneTtl',
  'tagTtl',
] as const;
const DEFAULT_TOMBSTONE_TTL = 60_000;
const DEFAULT_TAG_TTL = 86_400_000;

/**
 * Stored entries start with `mk1|<format>|<staleTtl>|`; the Lua scripts below parse the same header.
 * A tagged entry adds its tag clock reading and the byte length of its tags (an ASCII JSON array) to
 * the stale field, and the tags before the value: `mk1|<format>|<staleTtl>t<stamp>,<length>|<tags><value>`.
 */
const MAGIC = 'mk1';

const noop = (): void => {};
const BAR = '|'.charCodeAt(0);
/** First character of a script's marker for an entry it deleted (see SAFE in the scripts). */
const BANG = '!'.charCodeAt(0);

/** A Lua script run with EVALSHA, loaded with EVAL when the server does not know it (NOSCRIPT). */
class Script {
  readonly #lua: string;
  readonly #sha: string;

  constructor(lua: string) {
    this.#lua = lua;
    this.#sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs with the declared `keys` (all in one Cluster slot) and `args`. */
  run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return client
      .evalsha(this.#sha, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        error instanceof Error && error.message.startsWith('NOSCRIPT')
          ? client.eval(this.#lua, keys.length, ...keys, ...args)
          : Promise.reject(error),
      );
  }
}

// Namespace scripts get KEYS[1] = the namespace's generation key `<prefix>:{/<ns>}:g`. Entry keys are
// `<prefix>:{/<ns>}:<generation>:<key>`: they are built inside the script (the generation is only
// known there) and share KEYS[1]'s hash tag, so they live in the same Cluster slot, as does the
// namespace's delete log `<prefix>:{/<ns>}:d` (generations are never `d` or `g`).
// On a single node, KEYS[2] is the store's tag record `<prefix>:{#<prefix>}:tags`, so tagged entries
// are checked in the same script; on a Cluster it lives in another slot and is absent (the caller
// checks tagged entries with TAG_CHECK, a second round trip for tagged entries only).
/**
 * Every script starts with this. Any key may hold what another program wrote, including a Redis type
 * the store never writes, so no command that reads a key may abort the script with WRONGTYPE: reads go
 * through `redis.pcall`. `fixed` collects what the call found broken and repaired: `g` generation key,
 * `d` delete log, `t` tag record, `l` lease key (auxiliary keys), `e` an entry key of another Redis
 * type (deleted). Scripts return it with their reply: `reply(result)` is `result`, or `{ result, fixed }`.
 * `entry(k, limit)` reads an entry: its text, or false; a key of another type or a text over `limit`
 * bytes is deleted and described by a marker: `!t<type>` or `!s<bytes>` (never a row, which starts with
 * a digit or `-`). A generation is what `newGeneration()` makes (at most 64 of `[A-Za-z0-9_-]`).
 */
const SAFE = `
local fixed = ''
local function reply(result)
  if fixed == '' then return result end
  return { result, fixed }
end
local function zscore(k, member, what)
  local s = redis.pcall('ZSCORE', k, member)
  if type(s) == 'table' then
    redis.call('DEL', k)
    fixed = fixed .. what
    return false
  end
  return s
end
local function current_generation()
  local g = redis.pcall('GET', KEYS[1])
  if type(g) == 'table' or (g and (#g > 64 or not string.find(g, '^[%w_%-]+$'))) then
    redis.call('DEL', KEYS[1])
    fixed = fixed .. 'g'
    return false
  end
  return g
end
local function entry(k, limit)
  local v = redis.pcall('GET', k)
  if type(v) == 'table' then
    local t = redis.call('TYPE', k)
    redis.call('DEL', k)
    return false, '!t' .. tostring(t.ok or t)
  end
  if v and limit and #v > limit then
    redis.call('DEL', k)
    return false, '!s' .. #v
  end
  return v, false
end
`;
const GENERATION = `${SAFE}
local g = current_generation()
`;
const GENERATION_OR_NEW = `${SAFE}
local g = current_generation()
if not g then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
`;
const BASE = `
local base = string.sub(KEYS[1], 1, -2) .. g .. ':'
`;
/** Server time in microseconds (exact in a Lua double), and integers formatted without exponents. */
const CLOCK = `
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function num(x)
  return string.format('%.0f', x)
end
`;
/** Freshness of an entry written with a stale window: the header records it, PTTL says how much is left. */
const STALE = `
local function stale(k, v)
  local s = string.match(v, '^${MAGIC}|[^|]*|(%d+)')
  return s ~= nil and redis.call('PTTL', k) <= tonumber(s)
end
-- The row a read returns: "<ms of freshness left, -1: no expiry>;<stored text>".
local function row(k, v)
  local ttl = redis.call('PTTL', k)
  local s = string.match(v, '^${MAGIC}|[^|]*|(%d+)')
  if ttl >= 0 and s ~= nil then ttl = math.max(ttl - tonumber(s), 0) end
  return ttl .. ';' .. v
end
`;
/**
 * The tag record is a sorted set: member `t<tag>` scored with the clock of its last invalidation,
 * `~c` the clock, `~f` the floor (records below it were trimmed; entries stamped before it are invalid).
 * A missing record (never created, or lost) is created with floor = now: entries stamped earlier are invalid.
 * A record of another Redis type, or with only one of `~c` and `~f`, is recreated the same way.
 */
const TAGS = `${CLOCK}
local function tag_clock(tk, n)
  local c, f = zscore(tk, '~c', 't'), zscore(tk, '~f', 't')
  if not c or not f then
    if c or f then fixed = fixed .. 't' end
    n = math.max(n, tonumber(c or '0'))
    redis.call('ZADD', tk, num(n), '~c', num(n), '~f')
    return n
  end
  c = tonumber(c)
  if c > n then return c end
  return n
end
local function tags_valid(tk, stamp, json)
  local f = zscore(tk, '~f', 't')
  stamp = tonumber(stamp)
  if not f or not stamp or stamp < tonumber(f) then return false end
  local ok, tags = pcall(cjson.decode, json)
  if not ok or type(tags) ~= 'table' then return false end
  for _, tag in ipairs(tags) do
    local at = redis.call('ZSCORE', tk, 't' .. tostring(tag))
    if at and tonumber(at) > stamp then return false end
  end
  return true
end
-- true: live (untagged, or tags valid); false: invalidated by a tag; nil: tagged, not checkable here.
local function live(tk, v)
  local _, e, stamp, n = string.find(v, '^${MAGIC}|[^|]*|%d*t(%d+),(%d+)|')
  if not e then return true end
  if not tk then return nil end
  return tags_valid(tk, stamp, string.sub(v, e + 1, e + tonumber(n)))
end
`;
/**
 * The namespace's delete log `<ns>:d` (see GUARD). `log_top()` returns its latest score ('0': none) and
 * whether it was of another Redis type (then deleted): the deletes it recorded are lost, and each
 * caller makes loads in flight store nothing by changing the namespace's generation.
 */
const LOG = `
local dk = string.sub(KEYS[1], 1, -2) .. 'd'
local function log_top()
  local before = #fixed
  local s = zscore(dk, '\\0~c', 'd')
  return s or '0', #fixed > before
end
`;
/**
 * The write guard. The namespace's delete log `<ns>:d` is a sorted set: member = key suffix, score =
 * the clock of its last delete (server microseconds, kept strictly increasing), and member `\0~c`
 * (never a key suffix) the latest of them. A load token records the generation, that latest score and
 * the server time when the load started. A guarded write stores nothing if the generation changed
 * (clear) or the log lost its latest score (evicted), and skips each key deleted after the token.
 * Deletes older than the tombstone window are trimmed, so a write whose load took longer than the
 * window, while something in the namespace was deleted, stores nothing (conservative).
 * ARGV[3..6]: generation ('' = unguarded), latest score, time (us), window (ms). `guard(g)` returns
 * whether to write at all, and the score above which a key's delete skips it (false: no check).
 * A log of another Redis type stores nothing and starts a new generation (ARGV[1]).
 */
const GUARD = `${LOG}
local function guard(g)
  if ARGV[3] == '' then return true, false end
  if g ~= ARGV[3] then return false, false end
  local top, broken = log_top()
  if broken then
    redis.call('SET', KEYS[1], ARGV[1])
    return false, false
  end
  local c, c0 = tonumber(top), tonumber(ARGV[4])
  if c == c0 then return true, false end
  if c < c0 then return false, false end
  if now_us() - tonumber(ARGV[5]) > tonumber(ARGV[6]) * 1000 then return false, false end
  return true, c0
end
local function deleted(since, suffix)
  if not since then return false end
  local s = redis.call('ZSCORE', dk, suffix)
  return s ~= false and s ~= nil and tonumber(s) > since
end
`;
const GENERATION_GUARDED = `
local g = current_generation()
if ARGV[3] == '' and not g then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
if not g then return reply(0) end
`;

/**
 * ARGV: mode ('f' fresh values, 's' values within their stale window too, 'h' fresh 1/0), the largest
 * entry in bytes, key suffixes... Returns one row per suffix, then `fixed`.
 * Entries invalidated by a tag are deleted and read as misses; tagged entries that cannot be checked
 * here (Cluster) are returned as they are, in every mode. Entries of another Redis type or over the
 * size limit are deleted and returned as their markers (see SAFE).
 */
const READ = new Script(`${SAFE}${STALE}${TAGS}
local g = current_generation()
local out = {}
local last = #ARGV - 1
if not g then
  for i = 3, #ARGV do out[i - 2] = false end
  out[last] = fixed
  return out
end
${BASE}
local mode, limit, tk = ARGV[1], tonumber(ARGV[2]), KEYS[2]
for i = 3, #ARGV do
  local k = base .. ARGV[i]
  local v, bad = entry(k, limit)
  if v and mode ~= 's' and stale(k, v) then v = false end
  local ok = v and live(tk, v)
  if v and ok == false then
    redis.call('DEL', k)
    v = false
  end
  if bad then
    out[i - 2] = bad
  elseif mode == 'h' and ok ~= nil then
    out[i - 2] = (v and string.sub(v, 1, ${MAGIC.length + 1}) == '${MAGIC}|') and 1 or 0
  elseif v and mode ~= 'h' then
    out[i - 2] = row(k, v)
  else
    out[i - 2] = v
  end
end
out[last] = fixed
return out
`);

/**
 * Reads for a load. ARGV: new generation, '1' to read the key ('0': token only), suffix, the largest
 * entry in bytes, and for a lease its TTL in ms and id. Returns { entry } on a hit (on a Cluster a
 * tagged entry, unchecked), else the token's parts: { false or the entry's marker (see SAFE),
 * generation, latest delete score, time (us), tag clock or false (Cluster), 1 if another caller holds
 * the lease `<ns>:l:<generation>:<suffix>` (else 0: taken, or no lease asked), fixed }.
 * The generation is created if missing, so a later clear() always changes it. A lease key of another
 * type, or without expiry, was not written by a store: it is replaced.
 */
const READ_FOR_LOAD = new Script(`${GENERATION_OR_NEW}${STALE}${TAGS}${LOG}
${BASE}
local tk = KEYS[2]
local bad = false
if ARGV[2] == '1' then
  local k = base .. ARGV[3]
  local v
  v, bad = entry(k, tonumber(ARGV[4]))
  if v and stale(k, v) then v = false end
  if v then
    local ok = live(tk, v)
    if ok == false then redis.call('DEL', k) else return { row(k, v) } end
  end
end
local c, broken = log_top()
if broken then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
local n = now_us()
local stamp = false
if tk then stamp = num(tag_clock(tk, n)) end
local held = 0
if ARGV[5] ~= nil and ARGV[5] ~= '' then
  local lk = string.sub(KEYS[1], 1, -2) .. 'l:' .. g .. ':' .. ARGV[3]
  if not redis.call('SET', lk, ARGV[6], 'NX', 'PX', ARGV[5]) then
    local t = redis.call('TYPE', lk)
    if tostring(t.ok or t) ~= 'string' or redis.call('PTTL', lk) < 0 then
      redis.call('SET', lk, ARGV[6], 'PX', ARGV[5])
      fixed = fixed .. 'l'
    else
      held = 1
    end
  end
end
return { bad, g, c, num(n), stamp, held, fixed }
`);

/** KEYS[1]: a lease key; ARGV[1]: the lease's id. Deletes the lease if it is still that one. */
const RELEASE_LEASE = new Script(`${SAFE}
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' then
  redis.call('DEL', KEYS[1])
  fixed = 'l'
  return reply(0)
end
if v == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** ARGV: new generation, PX ('' = no expiry), guard (4 args), then suffix/entry pairs. One SET .. PX per entry. */
const WRITE = new Script(`${SAFE}${CLOCK}${GUARD}${GENERATION_GUARDED}
local ok, since = guard(g)
if not ok then return reply(0) end
${BASE}
local px, written = ARGV[2], 0
for i = 7, #ARGV, 2 do
  if not deleted(since, ARGV[i]) then
    if px == '' then
      redis.call('SET', base .. ARGV[i], ARGV[i + 1])
    else
      redis.call('SET', base .. ARGV[i], ARGV[i + 1], 'PX', px)
    end
    written = written + 1
  end
end
return reply(written)
`);

/**
 * ARGV: new generation, PX, guard (4 args), suffix, entry. SET NX PX; an entry past its fresh time,
 * invalidated by a tag, or of another Redis type, is replaced too.
 */
const WRITE_IF_ABSENT = new Script(`${SAFE}${TAGS}${GUARD}${GENERATION_GUARDED}${STALE}
local ok, since = guard(g)
if not ok or deleted(since, ARGV[7]) then return reply(0) end
${BASE}
local px, k, v = ARGV[2], base .. ARGV[7], ARGV[8]
local function put(nx)
  if px == '' then
    if nx then return redis.call('SET', k, v, 'NX') end
    return redis.call('SET', k, v)
  end
  if nx then return redis.call('SET', k, v, 'NX', 'PX', px) end
  return redis.call('SET', k, v, 'PX', px)
end
if put(true) then return reply(1) end
local old, bad = entry(k, false)
if bad then fixed = fixed .. 'e' end
if bad or (old and (stale(k, old) or live(KEYS[2], old) == false)) then
  put(false)
  return reply(1)
end
return reply(0)
`);

/**
 * ARGV: suffix, tombstone window (ms). Records the delete in the namespace's delete log (even for a
 * key with no entry: a load of it may be in flight), trims deletes older than the window, then DEL.
 * A log of another Redis type is recreated, and the generation key deleted (loads in flight store nothing).
 */
const DELETE = new Script(`${GENERATION}${CLOCK}${LOG}
local n, window = now_us(), tonumber(ARGV[2])
local c, broken = log_top()
local seq = n
if tonumber(c) >= seq then seq = tonumber(c) + 1 end
redis.call('ZREMRANGEBYSCORE', dk, '-inf', '(' .. num(n - window * 1000))
redis.call('ZADD', dk, num(seq), ARGV[1], num(seq), '\\0~c')
redis.call('PEXPIRE', dk, window * 2)
if not g then return reply(0) end
${BASE}
local removed = redis.call('DEL', base .. ARGV[1])
if broken then redis.call('DEL', KEYS[1]) end
return reply(removed)
`);

/** ARGV: suffix, entry. Deletes the entry if it is still exactly `entry` (a tagged entry found invalid elsewhere). */
const DELETE_IF = new Script(`${GENERATION}
if not g then return reply(0) end
${BASE}
local k = base .. ARGV[1]
local v, bad = entry(k, false)
if bad then fixed = fixed .. 'e' end
if v == ARGV[2] then return reply(redis.call('DEL', k)) end
return reply(0)
`);

/**
 * ARGV: suffix, PX ('' = never expires). PEXPIRE/PERSIST; an entry with a stale
 * window is rewritten without it (a plain TTL from now on), as the memory store does.
 */
const EXPIRE = new Script(`${GENERATION}${TAGS}
if not g then return reply(0) end
${BASE}
local k, px = base .. ARGV[1], ARGV[2]
local v, bad = entry(k, false)
if bad then fixed = fixed .. 'e' end
if not v then return reply(0) end
if live(KEYS[2], v) == false then
  redis.call('DEL', k)
  return reply(0)
end
local _, last, s = string.find(v, '^${MAGIC}|[^|]*|(%d+)')
if s then
  if redis.call('PTTL', k) <= tonumber(s) then return reply(0) end
  local plain = string.sub(v, 1, last - #s) .. string.sub(v, last + 1)
  if px == '' then redis.call('SET', k, plain) else redis.call('SET', k, plain, 'PX', px) end
  return reply(1)
end
if px == '' then redis.call('PERSIST', k) else redis.call('PEXPIRE', k, px) end
return reply(1)
`);

/** KEYS[1]: tag record. Returns the tag clock now (a load's stamp), creating the record if missing. */
const TAG_STAMP = new Script(`${SAFE}${TAGS}
return reply(num(tag_clock(KEYS[1], now_us())))
`);

/** KEYS[1]: tag record. ARGV: stamp/tags pairs. Returns 1 (valid) or 0 per pair, then `fixed`. */
const TAG_CHECK = new Script(`${SAFE}${TAGS}
local out = {}
for i = 1, #ARGV, 2 do
  out[#out + 1] = tags_valid(KEYS[1], ARGV[i], ARGV[i + 1]) and 1 or 0
end
out[#out + 1] = fixed
return out
`);

/**
 * KEYS[1]: tag record. ARGV: tag TTL (ms), tags... Advances the clock (strictly, and at least to the
 * server time), records it for each tag, and trims records older than the tag TTL, raising the floor.
 */
const INVALIDATE_TAGS = new Script(`${SAFE}${TAGS}
local tk = KEYS[1]
local n = now_us()
local c, f = zscore(tk, '~c', 't'), zscore(tk, '~f', 't')
if not c or not f then
  c, f = n, n
else
  c, f = tonumber(c), tonumber(f)
end
local seq = math.max(c + 1, n + 1)
local cutoff = n - tonumber(ARGV[1]) * 1000
if cutoff > f then
  redis.call('ZREMRANGEBYSCORE', tk, '-inf', '(' .. num(cutoff))
  f = cutoff
end
redis.call('ZADD', tk, num(seq), '~c', num(f), '~f')
for i = 2, #ARGV do
  redis.call('ZADD', tk, num(seq), 't' .. ARGV[i])
end
return reply(num(seq))
`);

/** A process-unique generation token: 8 random characters and a counter (no `:` or `|`). */
const PROCESS_TAG = randomBytes(6).toString('base64url');
let generationCounter = 0;
const newGeneration = (): string => `${PROCESS_TAG}${(generationCounter++).toString(36)}`;

/** Namespace names become one hash-tag segment: `%`, `/`, braces and surrogates are escaped as `%XXXX`. */
const escapeSegment = (name: string): string =>
  name.replace(/[%/{}\uD800-\uDFFF]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The key suffix for `key`. Redis keys are bytes and ioredis sends UTF-8, which
 * turns lone surrogates into U+FFFD: such strings are JSON-escaped behind a
 * `\0~w` marker (canonical keys from keys.ts start with `\0` and a type letter,
 * never `~`; plain string keys never start with `\0`).
 */
function suffixOf(key: StoreKey): string {
  const text = storeKeyToString(key);
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? text : `\0~w${JSON.stringify(text)}`;
}

/** A script's integer reply 1 (a string when the client runs with `stringNumbers`). */
const isOne = (reply: unknown): boolean => reply === 1 || reply === '1';

/**
 * What {@link RedisNamespace.getForLoad} and {@link RedisNamespace.loadToken}
 * return: a snapshot of the namespace taken when a load starts (its generation,
 * the latest delete, the server time, and the tag clock). Pass it as
 * `loadToken` with the loaded value; opaque otherwise.
 */
class RedisLoadToken {
  constructor(
    /** The generation key of the namespace it was taken in. */
    readonly scope: string,
    readonly generation: string,
    /** Highest score of the namespace's delete log ('0': none). */
    readonly deletes: string,
    /** Server time in microseconds. */
    readonly time: string,
    /** The tag clock (server microseconds), when it was read. */
    readonly stamp: string | undefined,
  ) {}
}

/** A lease {@link RedisNamespace.getOrLease} took: its key and the id it holds it with. */
class RedisLease {
  constructor(
    readonly key: string,
    readonly id: string,
  ) {}
}

/** A hit-path read waiting for its namespace's next `MGET`. */
interface BatchedRead {
  readonly key: StoreKey;
  readonly suffix: string;
  readonly resolve: (
    read:
      { entry: StoreEntry | undefined; token: unknown } | Promise<{ entry: StoreEntry | undefined; token: unknown }>,
  ) => void;
}

/** Most keys in one hit-path `MGET`. */
const MAX_BATCH = 512;

/** The token of a load whose start could not be recorded (Redis unavailable): its write stores nothing. */
const UNGUARDABLE = new RedisLoadToken('', '', '', '', undefined);

/** Guard arguments of an unguarded write. */
const UNGUARDED = ['', '0', '0', '0'] as const;

/** A JSON array of tags with every non-ASCII character escaped, so that its length is its byte length. */
const tagsJson = (tags: readonly string[]): string =>
  JSON.stringify(tags).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The stale field of a stored entry: `<staleTtl>` or `<staleTtl>t<stamp>,<tags length>`. */
const STALE_FIELD = /^(\d*)(?:t(\d+),(\d+))?$/;

/** A stored entry split into its parts; `tags` and `stamp` only for tagged entries. */
interface StoredRecord {
  readonly text: string;
  readonly payload: string;
  readonly stamp?: string;
  readonly tags?: string;
}

/**
 * Client events fanned out to every store using the client, so many stores on
 * one client add one listener per event (no MaxListenersExceededWarning).
 */
interface ClientWatchers {
  readonly ready: Set<() => void>;
  readonly close: Set<() => void>;
  readonly onReady: () => void;
  readonly onClose: () => void;
}
const watchers = new WeakMap<RedisClient, ClientWatchers>();

function watchClient(client: RedisClient, onReady: () => void, onClose: () => void): () => void {
  let entry = watchers.get(client);
  if (entry === undefined) {
    const ready = new Set<() => void>();
    const close = new Set<() => void>();
    const created: ClientWatchers = {
      ready,
      close,
      onReady: () => {
        for (const listener of ready) listener();
      },
      onClose: () => {
        for (const listener of close) listener();
      },
    };
    client.on('ready', created.onReady);
    client.on('close', created.onClose);
    watchers.set(client, created);
    entry = created;
  }
  const current = entry;
  current.ready.add(onReady);
  current.close.add(onClose);
  return () => {
    current.ready.delete(onReady);
    current.close.delete(onClose);
    if (current.ready.size === 0) {
      client.off('ready', current.onReady);
      client.off('close', current.onClose);
      watchers.delete(client);
    }
  };
}

const isReplyError = (error: unknown): boolean => error instanceof Error && error.name === 'ReplyError';
/** Reply errors that mean the server cannot serve now (rather than that this call was wrong). */
const SERVER_DOWN = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|BUSY)\b/;

/** An invalidation to send again once Redis answers (see Link.remember). @internal */
export interface Replay {
  /** Identity: a later replay with the same id replaces this one. */
  readonly id: string;
  readonly op: 'delete' | 'clear' | 'invalidateTags';
  /** The namespace's name (`''` for the root, or for tags), for messages. */
  readonly namespace: string;
  /** The namespace's path (empty for the root, or for tags). */
  readonly path: readonly string[];
  /** The key a delete removed. */
  readonly key?: StoreKey;
  readonly tags?: readonly string[];
  send(client: RedisClient): Promise<unknown>;
}

/** Most invalidations remembered while Redis is unavailable (then every namespace is cleared instead). */
const MAX_REPLAYS = 10_000;

/** A call {@link Link.exec} sent and has not settled yet. */
class PendingCall {
  settled = false;
  constructor(
    /** `performance.now()` after which the call times out. */
    readonly deadline: number,
    readonly reject: (error: unknown) => void,
    readonly where: string,
    readonly op: string,
    readonly namespace: string,
  ) {}
}

/** The connection shared by a store and its namespaces: availability, timeouts, figures, events. */
class Link {
  readonly emitter = new EventEmitter();
  readonly client: RedisClient;
  readonly owned: boolean;
  readonly timeout: number;
  readonly retryInterval: number;
  readonly counts = {
    errors: 0,
    timeouts: 0,
    failures: 0,
    connectionErrors: 0,
    skipped: 0,
    corrupt: 0,
    unserializable: 0,
    tooLarge: 0,
  };
  #down = false;
  #closed = false;
  #probe: ReturnType<typeof setTimeout> | undefined;
  readonly #unwatch: () => void;
  readonly #onReady = (): void => this.#recover();
  /** The connection dropped (ioredis reconnects by itself): report it once and skip calls meanwhile. */
  readonly #onClose = (): void => {
    if (this.#closed || this.#down) return;
    this.#markDown(
      new RedisStoreError('E_REDIS_UNAVAILABLE', messages.REDIS_CONNECTION_LOST(this.label), 'connection', ''),
    );
  };
  readonly #onClientError = (error: unknown): void => {
    this.counts.connectionErrors++;
    this.emit(
      new RedisStoreError(
        'E_REDIS_CONNECTION',
        messages.REDIS_COMMAND_FAILED(this.label, 'connection', error),
        'connection',
        '',
        { cause: error },
      ),
    );
  };

  constructor(
    /** Names the store in messages: `RedisStore("<prefix>")`. */
    readonly label: string,
    client: RedisClient,
    owned: boolean,
    timeout: number,
    retryInterval: number,
  ) {
    this.client = client;
    this.owned = owned;
    this.timeout = timeout;
    this.retryInterval = retryInterval;
    this.#unwatch = watchClient(client, this.#onReady, this.#onClose);
    // ioredis logs "Unhandled error event" for clients without an error listener; ours report through the store.
    if (owned) client.on('error', this.#onClientError);
    // A lazyConnect client would never connect, since calls are skipped until it is ready.
    if (client.status === 'wait') client.connect().catch(noop);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls are sent only while the client is ready and Redis has not stopped answering. */
  available(): boolean {
    return !this.#down && !this.#closed && this.client.status === 'ready';
  }

  skip(): void {
    this.counts.skipped++;
  }

  unavailable(where: string, op: string, namespace: string): RedisStoreError {
    this.counts.skipped++;
    const message = this.#closed
      ? messages.REDIS_STORE_CLOSED(where, op)
      : messages.REDIS_UNAVAILABLE(
          where,
          op,
          this.client.status === 'ready'
            ? 'it stopped answering; calls resume when it answers a PING'
            : `client status "${this.client.status}"`,
        );
    return new RedisStoreError('E_REDIS_UNAVAILABLE', message, op, namespace);
  }

  emit(error: RedisStoreError): void {
    this.counts.errors++;
    if (this.emitter.listenerCount('error') > 0) this.emitter.emit('error', error);
  }

  /**
   * Sends one call, bounded by `timeout`. Rejects with a {@link RedisStoreError}
   * when Redis is unavailable, too slow or rejects the call.
   */
  exec<T>(where: string, op: string, namespace: string, send: () => Promise<T>): Promise<T> {
    if (!this.available()) return Promise.reject(this.unavailable(where, op, namespace));
    return new Promise<T>((resolve, reject) => {
      const call = new PendingCall(performance.now() + this.timeout, reject, where, op, namespace);
      this.#track(call);
      send().then(
        (value) => {
          if (call.settled) return;
          this.#settle(call);
          resolve(value);
        },
        (cause: unknown) => {
          if (call.settled) return;
          this.#settle(call);
          this.counts.failures++;
          const error = new RedisStoreError(
            'E_REDIS_COMMAND',
            messages.REDIS_COMMAND_FAILED(where, op, cause),
            op,
            namespace,
            { cause },
          );
          this.emit(error);
          if (!isReplyError(cause) || SERVER_DOWN.test((cause as Error).message)) this.#markDown(error);
          reject(error);
        },
      );
    });
  }

  // Calls in flight wait in a queue in the order they were sent. They all have the same timeout, so
  // their deadlines are in that order too and one timer, armed for the oldest, bounds them all (a
  // timer per call costs more than the rest of a pipelined read).
  readonly #calls: PendingCall[] = [];
  #unsettled = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  #track(call: PendingCall): void {
    this.#calls.push(call);
    this.#unsettled++;
    this.#timer ??= setTimeout(this.#expire, this.timeout);
  }

  #settle(call: PendingCall): void {
    call.settled = true;
    if (--this.#unsettled > 0) return;
    // Nothing in flight: no timer is left to keep the process alive.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#calls.length = 0;
  }

  /** Times out every call whose deadline passed, then waits for the next deadline. */
  readonly #expire = (): void => {
    this.#timer = undefined;
    const calls = this.#calls;
    const now = performance.now();
    let i = 0;
    for (; i < calls.length; i++) {
      const call = calls[i] as PendingCall;
      if (call.settled) continue;
      if (call.deadline > now) break;
      this.#settle(call);
      this.counts.timeouts++;
      const error = new RedisStoreError(
        'E_REDIS_TIMEOUT',
        messages.REDIS_TIMEOUT(call.where, call.op, this.timeout),
        call.op,
        call.namespace,
      );
      this.emit(error);
      this.#markDown(error);
      call.reject(error);
      if (calls.length === 0) return; // the last call in flight: #settle emptied the queue
    }
    if (i >= calls.length) return;
    calls.splice(0, i);
    const next = calls[0] as PendingCall;
    this.#timer = setTimeout(this.#expire, Math.max(1, Math.ceil(next.deadline - now)));
  };

  #markDown(error: RedisStoreError): void {
    if (this.#down || this.#closed) return;
    this.#down = true;
    this.emitter.emit('unavailable', error);
    this.#scheduleProbe();
  }

  // Invalidations (deletes, clears, tag invalidations) that failed because Redis was unavailable or
  // too slow. Redis kept the entries they meant to remove, so they are sent again, in order, before
  // the store is back: no process reads those entries after this one has its link back. Bounded:
  // past MAX_REPLAYS the list gives way to clearing every namespace and tag this store knows.
  readonly #replays = new Map<string, Replay>();
  #overflowed = false;
  #recovering = false;
  /** Every invalidation this store could replay at once (set by the store: its namespaces and tags). */
  everything: () => Replay[] = () => [];
  /** Called with what was replayed, before the store is back (a tiered store tells its peers). */
  readonly replayed = new Set<(replays: readonly Replay[]) => Promise<void>>();

  /** Remembers an invalidation that failed while Redis is unavailable, to replay on recovery. */
  remember(replay: Replay): void {
    if (this.available() || this.#closed) return;
    // Not marked down (the client is between connections): the replay must happen before calls resume.
    if (!this.#down) {
      this.#markDown(
        new RedisStoreError('E_REDIS_UNAVAILABLE', messages.REDIS_CONNECTION_LOST(this.label), 'connection', ''),
      );
    }
    this.#replays.delete(replay.id);
    this.#replays.set(replay.id, replay);
    if (this.#replays.size > MAX_REPLAYS) {
      this.#replays.clear();
      this.#overflowed = true;
    }
  }

  /** Redis answers again: replays what failed meanwhile, then the store is back. */
  #recover(): void {
    if (!this.#down || this.#closed || this.#recovering) return;
    if (this.#replays.size === 0 && !this.#overflowed) return this.#up();
    this.#recovering = true;
    const overflowed = this.#overflowed;
    const replays = overflowed ? this.everything() : [...this.#replays.values()];
    this.#replay(replays).then(
      (done) => {
        this.#recovering = false;
        if (!done) return this.#scheduleProbe();
        if (overflowed) this.#overflowed = false;
        for (const replay of replays) if (this.#replays.get(replay.id) === replay) this.#replays.delete(replay.id);
        // Invalidations that failed while this replay ran go out before the store is back, too.
        if (this.#replays.size > 0 || this.#overflowed) return this.#recover();
        this.#up();
      },
      () => {
        this.#recovering = false;
        this.#scheduleProbe();
      },
    );
  }

  /** Sends `replays` in order; `false` as soon as one cannot be sent (Redis is still not answering). */
  async #replay(replays: readonly Replay[]): Promise<boolean> {
    for (const replay of replays) {
      if (this.#closed) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          replay.send(this.client),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), this.timeout);
          }),
        ]);
      } catch (cause) {
        // Redis refused it (a reply error): sending it again would not help; report it and go on.
        if (!isReplyError(cause)) return false;
        this.emit(
          new RedisStoreError(
            'E_REDIS_COMMAND',
            messages.REDIS_COMMAND_FAILED(this.label, replay.op, cause),
            replay.op,
            replay.namespace,
            { cause },
          ),
        );
      } finally {
        clearTimeout(timer);
      }
    }
    for (const listener of this.replayed) await listener(replays).catch(noop);
    return true;
  }

  #up(): void {
    if (!this.#down || this.#closed) return;
    this.#down = false;
    if (this.#probe !== undefined) clearTimeout(this.#probe);
    this.#probe = undefined;
    this.emitter.emit('available');
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#probe !== undefined) return;
    this.#probe = setTimeout(() => {
      this.#probe = undefined;
      this.#runProbe();
    }, this.retryInterval);
    this.#probe.unref();
  }

  /** PINGs Redis (bounded by `timeout`); back up on PONG, else try again later. */
  #runProbe(): void {
    if (this.#closed || !this.#down) return;
    // Not connected: ioredis is reconnecting and its 'ready' event brings the store back.
    if (this.client.status !== 'ready') return this.#scheduleProbe();
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      this.#scheduleProbe();
    }, this.timeout);
    this.client.ping().then(
      () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#recover();
      },
      () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#scheduleProbe();
      },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#probe !== undefined) clearTimeout(this.#probe);
    this.#probe = undefined;
    this.#unwatch();
    if (!this.owned) return;
    try {
      if (this.client.status === 'ready') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.timeout);
          this.client.quit().then(
            () => {
              clearTimeout(timer);
              resolve();
            },
            () => {
              clearTimeout(timer);
              resolve();
            },
          );
        });
      }
    } finally {
      this.client.disconnect();
      this.client.off('error', this.#onClientError);
    }
  }
}

interface Shared {
  readonly link: Link;
  readonly prefix: string;
  readonly ttl: number | undefined;
  readonly serializer: Serializer;
  /** `mk1|<format>|`: what every entry written with this serializer starts with. */
  readonly header: string;
  /** Bytes (UTF-8) a stored entry may take at most. */
  readonly maxValueSize: number;
  /** Namespaces by their path (a JSON array of names, so `a/b` and `a` → `b` differ). */
  readonly namespaces: Map<string, RedisNamespace>;
  /** The store's tag record `<prefix>:{#<prefix>}:tags`, in a Cluster slot of its own. */
  readonly tagKey: string;
  /** On a Cluster the tag record is in another slot than the namespaces: tagged entries take a second call. */
  readonly cluster: boolean;
  /** Milliseconds a delete is remembered for loads in flight. */
  readonly tombstoneTtl: number;
  /** Milliseconds a tag invalidation is remembered. */
  readonly tagTtl: number;
  /** A tagged write happened: on a Cluster, load tokens then read the tag clock too (a second call on a miss). */
  tagged: boolean;
  /** Broken auxiliary keys scripts repaired (see RedisStoreStats.repaired). */
  repaired: number;
}

/** A write, ready to send: PX, the guard's arguments and the stored texts. */
interface PreparedWrite {
  readonly px: string;
  /** Script arguments of the write guard; `undefined`: the write must store nothing. */
  readonly guard: readonly string[] | undefined;
  readonly records: readonly string[];
}

/**
 * One namespace of a {@link RedisStore} (the store itself is the root one).
 * Its keys are `<prefix>:{<path>}:<generation>:<key>`, next to one generation
 * key `<prefix>:{<path>}:g` and a delete log `<prefix>:{<path>}:d`; see
 * {@link RedisStore} for why.
 *
 * @example
 * ```ts
 * const users: RedisNamespace = store.namespace('users', { ttl: '5m' });
 * ```
 */
export class RedisNamespace implements CacheStore {
  /** Always `'redis'`. */
  readonly kind = 'redis';
  /** Path of the namespace, names joined by `/` (`''` for the store's root). */
  readonly name: string;
  /** Absent: Redis is out of process, every operation is asynchronous. */
  readonly sync = undefined;
  readonly #shared: Shared;
  readonly #link: Link;
  readonly #path: readonly string[];
  readonly #ttl: number | undefined;
  readonly #generationKey: string;
  /** `<prefix>:{<path>}:`: entry keys are this, a generation, `:` and the key suffix. */
  readonly #base: string;
  /** The generation the last fast read saw (`''` before any: no entry key has an empty generation). */
  #generation = '';
  /** Declared keys of this namespace's scripts: the generation key, and on a single node the tag record. */
  readonly #keys: readonly string[];
  readonly #where: string;

  /** @internal Use {@link RedisStore} and {@link RedisNamespace.namespace}. */
  protected constructor(shared: Shared, path: readonly string[], ttl: number | undefined) {
    this.#shared = shared;
    this.#link = shared.link;
    this.#path = path;
    this.name = path.join('/');
    this.#ttl = ttl;
    this.#generationKey = `${shared.prefix}:{/${path.map(escapeSegment).join('/')}}:g`;
    this.#base = this.#generationKey.slice(0, -1);
    this.#keys = shared.cluster ? [this.#generationKey] : [this.#generationKey, shared.tagKey];
    this.#where =
      path.length === 0
        ? `RedisStore(${JSON.stringify(shared.prefix)})`
        : `RedisStore(${JSON.stringify(shared.prefix)}).namespace(${JSON.stringify(this.name)})`;
  }

  get(key: StoreKey): Promise<StoreEntry | undefined> {
    return this.#readOne(key, 'f', 'get');
  }

  getStale(key: StoreKey): Promise<StoreEntry | undefined> {
    return this.#readOne(key, 's', 'getStale');
  }

  async #readOne(key: StoreKey, mode: 'f' | 's', op: string): Promise<StoreEntry | undefined> {
    const link = this.#link;
    if (!link.available()) {
      link.skip();
      return undefined;
    }
    const rows = await this.#read(op, mode, [key]);
    const row = rows?.[0];
    if (typeof row !== 'string') return undefined;
    return (await this.#entries(op, [key], [row]))[0];
  }

  /**
   * One READ script call: a row per key (entries the script deleted as
   * foreign or oversized are reported and read as misses); `undefined` when
   * it failed (already counted and reported).
   */
  async #read(op: string, mode: 'f' | 's' | 'h', keys: readonly StoreKey[]): Promise<unknown[] | undefined> {
    let rows: unknown[];
    try {
      const reply = await this.#link.exec(this.#where, op, this.name, () =>
        READ.run(this.#link.client, this.#keys, [mode, String(this.#shared.maxValueSize), ...keys.map(suffixOf)]),
      );
      rows = Array.isArray(reply) ? (reply as unknown[]) : [];
    } catch {
      return undefined;
    }
    this.#fixed(op, rows[keys.length]);
    return keys.map((key, i) => (this.#marker(op, key, rows[i]) ? undefined : rows[i]));
  }

  /** Reports what a script repaired and returns its result: its reply, or `[result, fixed]` (see SAFE). */
  #outcome(op: string, reply: unknown): unknown {
    if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[1] !== 'string') return reply;
    this.#fixed(op, reply[1]);
    return reply[0] as unknown;
  }

  /** Counts and reports each letter of a script's `fixed` (see SAFE in the scripts). */
  #fixed(op: string, fixed: unknown): void {
    if (typeof fixed !== 'string') return;
    for (const letter of fixed) {
      if (letter === 'e') {
        this.#wrongType(op, 'value of another type than string');
        continue;
      }
      const what =
        letter === 'g'
          ? messages.REDIS_REPAIRED_GENERATION()
          : letter === 'd'
            ? messages.REDIS_REPAIRED_DELETE_LOG()
            : letter === 't'
              ? messages.REDIS_REPAIRED_TAG_RECORD()
              : messages.REDIS_REPAIRED_LEASE();
      this.#shared.repaired++;
      this.#link.emit(
        new RedisStoreError('E_BROKEN_KEY', messages.REDIS_KEY_REPAIRED(this.#where, what), op, this.name),
      );
    }
  }

  /**
   * Reports a row that is a script's marker for an entry it deleted without
   * returning it (`!t<type>`: another Redis type; `!s<bytes>`: over
   * `maxValueSize`, not decoded). Whether `row` was one.
   */
  #marker(op: string, key: StoreKey, row: unknown): boolean {
    if (typeof row !== 'string' || row.charCodeAt(0) !== BANG) return false;
    if (row.startsWith('!s')) {
      const size = Number(row.slice(2));
      const limit = this.#shared.maxValueSize;
      this.#link.counts.tooLarge++;
      const message = messages.REDIS_ENTRY_TOO_LARGE(this.#where, JSON.stringify(key), size, limit);
      const error = new ValueTooLargeError(message, key, size, limit);
      this.#link.emit(new RedisStoreError('E_VALUE_TOO_LARGE', message, op, this.name, { cause: error }));
    } else {
      this.#wrongType(op, row.slice(2));
    }
    return true;
  }

  /** Counts and reports an entry key that held another Redis type (the script deleted it). */
  #wrongType(op: string, type: string): void {
    const cause = new CorruptEntryError(messages.REDIS_ENTRY_WRONG_TYPE(type));
    this.#link.counts.corrupt++;
    this.#link.emit(
      new RedisStoreError('E_CORRUPT_ENTRY', messages.REDIS_CORRUPT_ENTRY(this.#where, cause), op, this.name, {
        cause,
      }),
    );
  }

  /**
   * The entries of rows a script read: decoded, and on a Cluster, tagged ones
   * checked against the tag record first (one more call, for tagged entries only).
   */
  async #entries(op: string, keys: readonly StoreKey[], rows: readonly unknown[]): Promise<(StoreEntry | undefined)[]> {
    // Read scripts return "<ms of freshness left, -1: no expiry>;<stored text>".
    const expiries: (number | undefined)[] = [];
    const records = keys.map((key, i) => {
      const row = rows[i];
      if (typeof row !== 'string') return undefined;
      const split = row.indexOf(';');
      const ttl = Number(row.slice(0, split));
      expiries[i] = Number.isFinite(ttl) && ttl >= 0 ? ttl : undefined;
      return this.#parse(key, row.slice(split + 1));
    });
    const valid = await this.#checkTags(op, keys, records);
    return records.map((record, i) => {
      if (record === undefined || valid[i] !== true) return undefined;
      const entry = this.#deserialize(keys[i] as StoreKey, record);
      const expiresIn = expiries[i];
      return entry === undefined || expiresIn === undefined ? entry : { value: entry.value, expiresIn };
    });
  }

  /**
   * Whether each record is live as far as tags go. On a single node the
   * scripts already dropped invalidated entries; on a Cluster tagged entries
   * are checked here with one TAG_CHECK call, and invalid ones deleted. If the
   * check fails, tagged entries are misses (never possibly stale).
   */
  async #checkTags(
    op: string,
    keys: readonly StoreKey[],
    records: readonly (StoredRecord | undefined)[],
  ): Promise<boolean[]> {
    const valid = records.map(() => true);
    if (!this.#shared.cluster) return valid;
    const tagged: number[] = [];
    const args: string[] = [];
    records.forEach((record, i) => {
      if (record?.tags === undefined || record.stamp === undefined) return;
      tagged.push(i);
      args.push(record.stamp, record.tags);
    });
    if (tagged.length === 0) return valid;
    let replies: unknown[] = [];
    try {
      const reply = await this.#link.exec(this.#where, op, this.name, () =>
        TAG_CHECK.run(this.#link.client, [this.#shared.tagKey], args),
      );
      if (Array.isArray(reply)) replies = reply as unknown[];
      this.#fixed(op, replies[tagged.length]);
    } catch {
      // Reported by exec; the tagged entries are misses.
    }
    tagged.forEach((index, i) => {
      const ok = isOne(replies[i]);
      valid[index] = ok;
      const record = records[index];
      if (!ok && replies[i] !== undefined && record !== undefined) {
        this.#deleteIf(keys[index] as StoreKey, record.text);
      }
    });
    return valid;
  }

  /** Deletes `key` if its entry is still exactly `text` (no tombstone: this is not an invalidation). */
  #deleteIf(key: StoreKey, text: string): void {
    if (!this.#link.available()) return;
    this.#run('delete', DELETE_IF, [suffixOf(key), text]).catch(noop);
  }

  /**
   * Splits a stored entry into header fields and serialized value. Entries of
   * another serializer are misses left alone; anything else unreadable is
   * reported as corrupt and deleted.
   */
  #parse(key: StoreKey, text: string): StoredRecord | undefined {
    const { header } = this.#shared;
    // Written by another serializer (e.g. during a rolling deploy that changes it): a miss, left alone.
    if (!text.startsWith(header) && text.startsWith(`${MAGIC}|`)) return undefined;
    try {
      if (!text.startsWith(header)) throw new CorruptEntryError(messages.CORRUPT_ENTRY('not a memokit entry'));
      const bar = text.indexOf('|', header.length);
      if (bar < 0) throw new CorruptEntryError(messages.CORRUPT_ENTRY('truncated header'));
      const field = STALE_FIELD.exec(text.slice(header.length, bar));
      if (field === null) throw new CorruptEntryError(messages.CORRUPT_ENTRY('bad header'));
      const [, , stamp, length] = field;
      if (stamp === undefined || length === undefined) return { text, payload: text.slice(bar + 1) };
      const end = bar + 1 + Number(length);
      if (end > text.length) throw new CorruptEntryError(messages.CORRUPT_ENTRY('truncated tags'));
      return { text, payload: text.slice(end), stamp, tags: text.slice(bar + 1, end) };
    } catch (cause) {
      this.#corrupt(key, text, cause);
      return undefined;
    }
  }

  #deserialize(key: StoreKey, record: StoredRecord): StoreEntry | undefined {
    try {
      return { value: this.#shared.serializer.deserialize(record.payload) };
    } catch (cause) {
      this.#corrupt(key, record.text, cause);
      return undefined;
    }
  }

  #corrupt(key: StoreKey, text: string, cause: unknown): void {
    this.#link.counts.corrupt++;
    this.#link.emit(
      new RedisStoreError('E_CORRUPT_ENTRY', messages.REDIS_CORRUPT_ENTRY(this.#where, cause), 'get', this.name, {
        cause,
      }),
    );
    this.#deleteIf(key, text);
  }

  /** The serialized value (reported and rethrown as an {@link UnserializableValueError} if it cannot be). */
  #serialize(value: unknown): string {
    try {
      return this.#shared.serializer.serialize(value);
    } catch (cause) {
      this.#link.counts.unserializable++;
      const error =
        cause instanceof UnserializableValueError
          ? new UnserializableValueError(messages.UNSTORABLE_VALUE(this.#where, cause), cause.path, cause.what, {
              cause,
            })
          : new UnserializableValueError(messages.UNSTORABLE_VALUE(this.#where, cause), 'value', 'a value', { cause });
      this.#link.emit(new RedisStoreError('E_UNSERIALIZABLE', error.message, 'set', this.name, { cause: error }));
      throw error;
    }
  }

  /** PX, stale window and tags of a write; throws a TypeError for a bad ttl, staleTtl or tags. */
  #expiry(
    options: StoreSetOptions | undefined,
    op: string,
  ): { px: string; stale: number | undefined; tags: string | undefined } {
    const tags = options?.tags === undefined ? undefined : this.#tagList(options.tags, `${this.#where}.${op}()`);
    const ttl = options?.ttl === undefined ? this.#ttl : this.#positive(options.ttl, op, 'ttl');
    const staleTtl = options?.staleTtl;
    if (staleTtl !== undefined && !(Number.isFinite(staleTtl) && staleTtl >= 0)) {
      throw new TypeError(messages.BAD_DURATION(`${this.#where}.${op}()`, 'staleTtl', staleTtl));
    }
    if (ttl === undefined) return { px: '', stale: undefined, tags };
    return { px: String(Math.ceil(ttl + (staleTtl ?? 0))), stale: staleTtl, tags };
  }

  /** Checks tags and returns them as stored (an ASCII JSON array). */
  #tagList(tags: unknown, where: string): string {
    assertTags(where, tags);
    for (const tag of tags) {
      if (!(tag as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        throw new TypeError(messages.REDIS_TAG_NOT_WELL_FORMED(where, tag));
      }
    }
    return tagsJson(tags);
  }

  #positive(value: number, op: string, option: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(messages.BAD_DURATION(`${this.#where}.${op}()`, option, value));
    }
    return value;
  }

  /** Script arguments of the write guard for `token`; `undefined` when the write must store nothing. */
  #guard(token: unknown, op: string): readonly string[] | undefined {
    if (token === undefined) return UNGUARDED;
    if (token === UNGUARDABLE) return undefined;
    if (!(token instanceof RedisLoadToken) || token.scope !== this.#generationKey) {
      throw new TypeError(messages.REDIS_BAD_LOAD_TOKEN(`${this.#where}.${op}()`, token));
    }
    return [token.generation, token.deletes, token.time, String(this.#shared.tombstoneTtl)];
  }

  /**
   * The tag clock reading a tagged write records: `tagStamp` if given, else
   * the load token's, else the clock now. `undefined` (store nothing) for a
   * token without one (a Cluster store's first tagged load).
   */
  async #stampFor(options: StoreSetOptions | undefined, op: string): Promise<string | undefined> {
    this.#shared.tagged = true;
    const given = options?.tagStamp;
    if (given !== undefined) {
      if (typeof given !== 'number' || !Number.isFinite(given) || given < 0) {
        throw new TypeError(messages.BAD_NONNEGATIVE_INT(`${this.#where}.${op}()`, 'tagStamp', given));
      }
      return String(Math.floor(given));
    }
    const token = options?.loadToken;
    if (token instanceof RedisLoadToken) return token.stamp;
    return this.#tagClockText(op);
  }

  /** Validates and serializes a write; resolves what to send. */
  async #prepare(
    op: string,
    entries: Iterable<readonly [StoreKey, unknown]>,
    options: StoreSetOptions | undefined,
  ): Promise<PreparedWrite> {
    const { px, stale, tags } = this.#expiry(options, op);
    let guard = this.#guard(options?.loadToken, op);
    // Serialize everything first: a value that cannot be stored rejects before anything is written.
    const keys: StoreKey[] = [];
    const pairs: [string, string][] = [];
    for (const [key, value] of entries) {
      keys.push(key);
      pairs.push([suffixOf(key), this.#serialize(value)]);
    }
    let head = `${this.#shared.header}${stale === undefined ? '' : Math.ceil(stale)}`;
    let body = '';
    if (tags !== undefined && guard !== undefined) {
      const stamp = await this.#stampFor(options, op);
      if (stamp === undefined) guard = undefined;
      head = `${head}t${stamp ?? 0},${tags.length}`;
      body = tags;
    }
    const records: string[] = [];
    pairs.forEach(([suffix, payload], i) => {
      const record = `${head}|${body}${payload}`;
      this.#assertFits(op, keys[i] as StoreKey, record);
      records.push(suffix, record);
    });
    return { px, guard, records };
  }

  /** Throws (counted and reported) a {@link ValueTooLargeError} for an entry over `maxValueSize`. */
  #assertFits(op: string, key: StoreKey, record: string): void {
    const limit = this.#shared.maxValueSize;
    const size = oversize(record, limit);
    if (size === undefined) return;
    this.#link.counts.tooLarge++;
    const message = messages.VALUE_TOO_LARGE(this.#where, JSON.stringify(key), size, limit);
    const error = new ValueTooLargeError(message, key, size, limit);
    this.#link.emit(new RedisStoreError('E_VALUE_TOO_LARGE', message, op, this.name, { cause: error }));
    throw error;
  }

  #run(op: string, script: Script, args: readonly (string | number)[]): Promise<unknown> {
    const link = this.#link;
    return link
      .exec(this.#where, op, this.name, () => script.run(link.client, this.#keys, args))
      .then((reply) => this.#outcome(op, reply));
  }

  /** A write that stores nothing: still rejects like one when Redis is unavailable. */
  #skip(op: string): Promise<unknown> {
    return this.#link.exec(this.#where, op, this.name, () => Promise.resolve(0));
  }

  /**
   * Stores `value`. With a `loadToken` (from {@link RedisNamespace.getForLoad}
   * or {@link RedisNamespace.loadToken}), stores nothing if, in any process,
   * the key was deleted or the namespace cleared since the token was taken.
   */
  async set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void> {
    const { px, guard, records } = await this.#prepare('set', [[key, value]], options);
    if (guard === undefined) await this.#skip('set');
    else await this.#run('set', WRITE, [newGeneration(), px, ...guard, ...records]);
  }

  /**
   * Removes `key`, and records the delete for a while (`tombstoneTtl`) so that
   * loads of it in flight in any process do not store their value afterwards.
   */
  async delete(key: StoreKey): Promise<boolean> {
    const args = [suffixOf(key), String(this.#shared.tombstoneTtl)];
    try {
      return isOne(await this.#run('delete', DELETE, args));
    } catch (error) {
      this.#link.remember({
        id: `d${this.#generationKey}\0${args[0]}`,
        op: 'delete',
        namespace: this.name,
        path: this.#path,
        key,
        send: (client) => DELETE.run(client, this.#keys, args),
      });
      throw error;
    }
  }

  /** The replay of a `clear()` that failed while Redis was unavailable. @internal */
  clearReplay(): Replay {
    return {
      id: `c${this.#generationKey}`,
      op: 'clear',
      namespace: this.name,
      path: this.#path,
      send: (client) => client.set(this.#generationKey, newGeneration()),
    };
  }

  /**
   * Starts a new generation of this namespace: one `SET` of its generation key,
   * O(1) whatever the number of entries. Entries of the old generation are
   * unreachable at once and expire by their TTL (or Redis evicts them). Loads
   * in flight hold a token of the old generation and store nothing.
   */
  async clear(): Promise<void> {
    const link = this.#link;
    const generation = newGeneration();
    try {
      await link.exec(this.#where, 'clear', this.name, () => link.client.set(this.#generationKey, generation));
    } catch (error) {
      link.remember(this.clearReplay());
      throw error;
    }
    this.#generation = generation;
  }

  async has(key: StoreKey): Promise<boolean> {
    if (!this.#link.available()) {
      this.#link.skip();
      return false;
    }
    const rows = await this.#read('has', 'h', [key]);
    const row = rows?.[0];
    // A tagged entry the script could not check (Cluster); otherwise 1 or 0 (a string with stringNumbers).
    if (typeof row === 'string' && row.startsWith(`${MAGIC}|`)) {
      const record = this.#parse(key, row);
      return record !== undefined && (await this.#checkTags('has', [key], [record]))[0] === true;
    }
    return isOne(row);
  }

  /**
   * Reads `key` for a load: the entry, or on a miss a token to pass as
   * `loadToken` with the loaded value (see {@link RedisNamespace.set}). The
   * token also carries the tag clock read at that moment, the stamp of a
   * tagged write. When Redis is unavailable the token makes the write store
   * nothing. A hit of an entry without tags or stale window takes one `MGET`
   * and comes without `expiresIn` unless `options.expiresIn` asks for it;
   * everything else takes a script call (a miss: the `MGET` and the script).
   */
  getForLoad(key: StoreKey, options?: LoadReadOptions): Promise<{ entry: StoreEntry | undefined; token: unknown }> {
    const suffix = suffixOf(key);
    if (options?.expiresIn === true) return this.#getForLoadScripted(key, suffix);
    const link = this.#link;
    if (!link.available()) {
      link.skip();
      return Promise.resolve({ entry: undefined, token: UNGUARDABLE });
    }
    return new Promise((resolve) => {
      let batch = this.#batch;
      if (batch === undefined) {
        batch = this.#batch = [];
        queueMicrotask(this.#flush);
      }
      batch.push({ key, suffix, resolve });
      if (batch.length >= MAX_BATCH) this.#flush();
    });
  }

  /** {@link RedisNamespace.getForLoad} with one READ_FOR_LOAD script call (and the entry's remaining TTL). */
  async #getForLoadScripted(key: StoreKey, suffix: string): Promise<{ entry: StoreEntry | undefined; token: unknown }> {
    const read = await this.#readForLoad('getForLoad', key, '1', suffix);
    if (read === undefined) return { entry: undefined, token: UNGUARDABLE };
    if (typeof read.row === 'string') {
      const [entry] = await this.#entries('getForLoad', [key], [read.row]);
      // A hit needs no token. An entry that turned out invalid (undecodable, or a tag checked here):
      // the token comes from a second call.
      if (entry !== undefined) return { entry, token: undefined };
      if (read.token === undefined) return { entry: undefined, token: await this.loadToken(key) };
    }
    return { entry: undefined, token: read.token === undefined ? UNGUARDABLE : await this.#stamped(read.token) };
  }

  /** Hit-path reads made since the last `MGET`; sent together once the current microtasks ran. */
  #batch: BatchedRead[] | undefined;

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch !== undefined) this.#mget(batch, 0);
  };

  /**
   * The hit path of {@link RedisNamespace.getForLoad}: one `MGET` of the
   * generation key and the entries under the generation seen last (one
   * Cluster slot), no script, for every read made in the same tick. The reply
   * is atomic, so an entry is current exactly when the generation read with
   * it is the one its key was built with; after a `clear()` elsewhere the read
   * is repeated once with the new generation. Entries whose freshness or tags
   * only the server can check (written with a stale window or with tags),
   * undecodable ones, and every miss are read again with READ_FOR_LOAD, which
   * checks them and takes the load token. Redis unavailable or the call
   * failed (already reported): misses whose writes store nothing.
   */
  #mget(batch: readonly BatchedRead[], attempt: number): void {
    const link = this.#link;
    const generation = this.#generation;
    const keys = [this.#generationKey];
    for (const read of batch) keys.push(`${this.#base}${generation}:${read.suffix}`);
    link
      .exec(this.#where, 'getForLoad', this.name, () => link.client.mget(...keys))
      .then(
        (reply) => {
          const current = reply[0];
          if (typeof current === 'string' && current !== generation) {
            this.#generation = current;
            if (attempt === 0) return this.#mget(batch, 1);
          }
          batch.forEach((read, i) =>
            read.resolve(
              current === generation
                ? this.#hitOf(read, reply[i + 1])
                : this.#getForLoadScripted(read.key, read.suffix),
            ),
          );
        },
        () => {
          for (const read of batch) read.resolve({ entry: undefined, token: UNGUARDABLE });
        },
      );
  }

  /** The entry an `MGET` read for `read`, or the scripted read when it cannot tell. */
  #hitOf(
    read: BatchedRead,
    text: string | null | undefined,
  ): { entry: StoreEntry | undefined; token: unknown } | Promise<{ entry: StoreEntry | undefined; token: unknown }> {
    const { header, serializer, maxValueSize } = this.#shared;
    // `mk1|<format>||<payload>`: an empty stale field, so neither a stale window nor tags. An entry over
    // maxValueSize is never decoded: the script deletes and reports it.
    if (
      typeof text === 'string' &&
      text.startsWith(header) &&
      text.charCodeAt(header.length) === BAR &&
      oversize(text, maxValueSize) === undefined
    ) {
      try {
        return { entry: { value: serializer.deserialize(text.slice(header.length + 1)) }, token: undefined };
      } catch {
        // Read again by the script, which reports the entry as corrupt and deletes it.
      }
    }
    return this.#getForLoadScripted(read.key, read.suffix);
  }

  /**
   * {@link RedisNamespace.getForLoad} that also takes the key's lease on a
   * miss, in the same script call: a `SET NX PX` of
   * `<prefix>:{<path>}:l:<generation>:<key>` with an id of this call, unless
   * another caller holds it (`held`). The lease ends by its TTL or by
   * {@link RedisNamespace.releaseLease}. When Redis is unavailable: a miss
   * without lease, whose write stores nothing.
   */
  async getOrLease(key: StoreKey, ttl: number): Promise<LeaseRead> {
    const suffix = suffixOf(key);
    const id = newGeneration();
    const read = await this.#readForLoad('getOrLease', key, '1', suffix, [String(Math.max(1, Math.ceil(ttl))), id]);
    if (read === undefined) return { entry: undefined, token: UNGUARDABLE };
    if (typeof read.row === 'string') {
      const [entry] = await this.#entries('getOrLease', [key], [read.row]);
      if (entry !== undefined) return { entry };
      // A tagged entry that turned out invalid (Cluster): load without a lease, with a token of its own.
      if (read.token === undefined) return { entry: undefined, token: await this.loadToken(key) };
    }
    if (read.token === undefined) return { entry: undefined, token: UNGUARDABLE };
    if (read.held === true) return { entry: undefined, held: true };
    const lease = new RedisLease(`${this.#base}l:${read.token.generation}:${suffix}`, id);
    return { entry: undefined, token: await this.#stamped(read.token), lease };
  }

  /** Ends a lease {@link RedisNamespace.getOrLease} took, if it is still the caller's (not expired and taken over). */
  async releaseLease(_key: StoreKey, lease: unknown): Promise<void> {
    if (!(lease instanceof RedisLease)) throw new TypeError(messages.BAD_LEASE_HANDLE(this.#where, lease));
    const link = this.#link;
    if (!link.available()) {
      link.skip();
      return;
    }
    this.#outcome(
      'releaseLease',
      await link.exec(this.#where, 'releaseLease', this.name, () =>
        RELEASE_LEASE.run(link.client, [lease.key], [lease.id]),
      ),
    );
  }

  /** A load token for a load that does not read first (a refresh); see {@link RedisNamespace.getForLoad}. */
  async loadToken(key: StoreKey): Promise<unknown> {
    const read = await this.#readForLoad('loadToken', key, '0', '');
    return read?.token === undefined ? UNGUARDABLE : this.#stamped(read.token);
  }

  /** One READ_FOR_LOAD call; `undefined` when Redis is unavailable or the call failed (already reported). */
  async #readForLoad(
    op: string,
    key: StoreKey,
    read: '0' | '1',
    suffix: string,
    lease: readonly [ttl: string, id: string] | readonly [] = [],
  ): Promise<{ row: unknown; token: RedisLoadToken | undefined; held?: boolean } | undefined> {
    const link = this.#link;
    if (!link.available()) {
      link.skip();
      return undefined;
    }
    let reply: unknown;
    try {
      reply = await link.exec(this.#where, op, this.name, () =>
        READ_FOR_LOAD.run(link.client, this.#keys, [
          newGeneration(),
          read,
          suffix,
          String(this.#shared.maxValueSize),
          ...lease,
        ]),
      );
    } catch {
      return undefined;
    }
    if (!Array.isArray(reply)) return undefined;
    const [row, generation, deletes, time, stamp, held, fixed] = reply as unknown[];
    // A hit comes alone; a tagged one the script could not check (Cluster) may still turn out a miss.
    if (typeof row === 'string' && generation === undefined) {
      return { row, token: undefined };
    }
    this.#fixed(op, fixed);
    // A miss: `row` is false, or the marker of an entry the script deleted (another type, too large).
    this.#marker(op, key, row);
    if (typeof generation !== 'string' || typeof time !== 'string') return undefined;
    // The hit path builds entry keys with it (it checks it against the current one on every read).
    this.#generation = generation;
    const token = new RedisLoadToken(
      this.#generationKey,
      generation,
      String(deletes),
      time,
      typeof stamp === 'string' ? stamp : undefined,
    );
    return { row: undefined, token, held: isOne(held) };
  }

  /** On a Cluster, adds the tag clock to a token (a second call, once this store has seen tagged writes). */
  async #stamped(token: RedisLoadToken): Promise<RedisLoadToken> {
    if (token.stamp !== undefined || !this.#shared.tagged) return token;
    const stamp = await this.#tagClockText('loadToken').catch(() => undefined);
    return stamp === undefined
      ? token
      : new RedisLoadToken(token.scope, token.generation, token.deletes, token.time, stamp);
  }

  #tagClockText(op: string): Promise<string> {
    const link = this.#link;
    return link
      .exec(this.#where, op, this.name, () => TAG_STAMP.run(link.client, [this.#shared.tagKey], []))
      .then((reply) => String(this.#outcome(op, reply)));
  }

  /**
   * The store's tag clock now (Redis server microseconds, shared by every
   * process): what a tagged write records when neither `tagStamp` nor a load
   * token gives one. Pass it as `tagStamp` to stamp a write with an earlier
   * moment. (Asynchronous, so the store does not implement the synchronous
   * `CacheStore.tagStamp`; load tokens carry the reading instead.)
   */
  async tagClock(): Promise<number> {
    return Number(await this.#tagClockText('tagClock'));
  }

  /**
   * Makes every entry carrying one of `tags` unreachable, in every namespace
   * of this store's prefix and in every process, without scanning keys: one
   * script call on the store's tag record. Entries whose load started before
   * the call, even if written after it, are invalid too.
   */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    const where = `${this.#where}.invalidateTags()`;
    this.#tagList(tags, where);
    const link = this.#link;
    const calls: Promise<unknown>[] = [];
    const { tagKey, tagTtl } = this.#shared;
    for (let start = 0; start < tags.length; start += BATCH) {
      const slice = tags.slice(start, start + BATCH);
      const send = (client: RedisClient): Promise<unknown> =>
        INVALIDATE_TAGS.run(client, [tagKey], [String(tagTtl), ...slice]);
      calls.push(
        link
          .exec(this.#where, 'invalidateTags', this.name, () => send(link.client))
          .then((reply) => this.#outcome('invalidateTags', reply))
          .catch((error: unknown) => {
            link.remember({
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

  async getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    const out = new Array<StoreEntry | undefined>(keys.length).fill(undefined);
    if (keys.length === 0) return out;
    if (!this.#link.available()) {
      this.#link.skip();
      return out;
    }
    const batches: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += BATCH) {
      const slice = keys.slice(start, start + BATCH);
      batches.push(
        this.#read('getMany', 'f', slice).then(async (rows) => {
          if (rows === undefined) return;
          const entries = await this.#entries('getMany', slice, rows);
          for (let i = 0; i < slice.length; i++) out[start + i] = entries[i];
        }),
      );
    }
    await Promise.all(batches);
    return out;
  }

  /** Stores every pair; with a `loadToken`, keys deleted (or a namespace cleared) since it was taken are skipped. */
  async setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    const { px, guard, records } = await this.#prepare('setMany', entries, options);
    if (guard === undefined) {
      await this.#skip('setMany');
      return;
    }
    const batches: Promise<unknown>[] = [];
    for (let start = 0; start < records.length; start += 2 * BATCH) {
      batches.push(
        this.#run('setMany', WRITE, [newGeneration(), px, ...guard, ...records.slice(start, start + 2 * BATCH)]),
      );
    }
    await Promise.all(batches);
  }

  /** Stores `value` if no live entry exists (and, with a `loadToken`, the key was not invalidated since). */
  async setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    const { px, guard, records } = await this.#prepare('setIfNotExists', [[key, value]], options);
    if (guard === undefined) {
      await this.#skip('setIfNotExists');
      return false;
    }
    return isOne(await this.#run('setIfNotExists', WRITE_IF_ABSENT, [newGeneration(), px, ...guard, ...records]));
  }

  async expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    const px = ttl === undefined ? '' : String(Math.ceil(this.#positive(ttl, 'expireIn', 'ttl')));
    return isOne(await this.#run('expireIn', EXPIRE, [suffixOf(key), px]));
  }

  /**
   * A child namespace; the same name gives the same namespace. `maxSize` is
   * accepted (decorated methods pass theirs) but not applied: Redis bounds
   * memory with TTLs and its `maxmemory-policy`, not per-namespace counts.
   */
  namespace(name: string, options: NamespaceOptions = {}): RedisNamespace {
    const where = `${this.#where}.namespace(${JSON.stringify(name)})`;
    if (typeof name !== 'string' || name === '') throw new TypeError(messages.BAD_STRING_OPTION(where, 'name', name));
    const { maxSize } = options;
    if (maxSize !== undefined && (!Number.isSafeInteger(maxSize) || maxSize <= 0)) {
      throw new TypeError(messages.BAD_POSITIVE_INT(where, 'maxSize', maxSize));
    }
    const ttl = options.ttl === undefined ? this.#ttl : parseDuration(options.ttl, where, 'ttl');
    const path = [...this.#path, name];
    const id = JSON.stringify(path);
    const existing = this.#shared.namespaces.get(id);
    if (existing !== undefined) {
      if (options.ttl !== undefined && ttl !== existing.#ttl) {
        throw new TypeError(messages.NAMESPACE_CONFLICT(where, 'ttl', existing.#ttl, ttl));
      }
      return existing;
    }
    const created = new RedisNamespace(this.#shared, path, ttl);
    this.#shared.namespaces.set(id, created);
    return created;
  }

  /**
   * Always `{ size: 0, evictions: 0 }`: Redis expires and evicts server-side,
   * and counting a namespace's keys would need a scan. See
   * {@link RedisNamespace.redisStats} for the connection's figures.
   */
  stats(): StoreStats {
    return { size: 0, evictions: 0 };
  }

  /** Availability and error figures of the store's connection (shared by all namespaces). */
  redisStats(): RedisStoreStats {
    return { available: this.#link.available(), ...this.#link.counts, repaired: this.#shared.repaired };
  }

  /**
   * Calls `listener` with the invalidations replayed after an outage, before
   * the store is back (a tiered store republishes them to its peers). @internal
   */
  onReplay(listener: (replays: readonly Replay[]) => Promise<void>): () => void {
    this.#link.replayed.add(listener);
    return () => this.#link.replayed.delete(listener);
  }

  /**
   * Milliseconds one connection attempt may take: the client's
   * `connectTimeout` (`RedisStore.clientOptions()`: 4 × `timeout`, at least
   * 1 s; ioredis's own default, 10 s, for a client passed without one). The
   * default bound of {@link RedisNamespace.ready}.
   *
   * @example
   * ```ts
   * console.log(store.connectTimeout); // 1000 with the default timeout
   * ```
   */
  get connectTimeout(): number {
    const { options } = this.#link.client as {
      options?: { connectTimeout?: unknown; redisOptions?: { connectTimeout?: unknown } };
    };
    const ms = options?.connectTimeout ?? options?.redisOptions?.connectTimeout;
    return typeof ms === 'number' && ms > 0 ? ms : 10_000;
  }

  /**
   * Resolves `true` once calls are sent to Redis (connected and answering),
   * or `false` after `timeout` or once the store is closed. Never rejects.
   * Useful at startup, since calls made before the connection is ready are
   * misses and skipped writes. `Cache.connect()`, `Cache.use()` and the
   * NestJS module's bootstrap call it without a timeout.
   *
   * @param timeout - longest wait
   * @default timeout: {@link RedisNamespace.connectTimeout} (1 s with the default options)
   * @example
   * ```ts
   * if (!(await store.ready())) console.warn('Redis is not reachable yet: calls miss until it is');
   * ```
   */
  async ready(timeout?: Duration): Promise<boolean> {
    const ms =
      timeout === undefined ? this.connectTimeout : parseDuration(timeout, `${this.#where}.ready()`, 'timeout');
    const deadline = performance.now() + ms;
    while (!this.#link.available()) {
      if (this.#link.closed || performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }

  /** Listens to the store's events (shared by all namespaces). */
  on<E extends keyof RedisStoreEvents>(event: E, listener: Listener<E>): this {
    this.#link.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Listens to the next occurrence of an event. */
  once<E extends keyof RedisStoreEvents>(event: E, listener: Listener<E>): this {
    this.#link.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener added with {@link RedisNamespace.on}. */
  off<E extends keyof RedisStoreEvents>(event: E, listener: Listener<E>): this {
    this.#link.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** A namespace holds no resources of its own; close the {@link RedisStore} instead. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A {@link CacheStore} in Redis (ioredis), for caches shared by processes.
 *
 * **Keys.** `<prefix>:{/<namespace path>}:<generation>:<key>` plus one
 * generation key `<prefix>:{/<namespace path>}:g` per namespace. The braces are
 * a Redis Cluster hash tag: all keys of one namespace live in one slot, so each
 * operation is one script on one node (and a very hot namespace is served by
 * one shard).
 *
 * **One round trip per operation.** Every read and write is one `EVALSHA` of a
 * small Lua script that reads the namespace's current generation and then does
 * the work (`GET`, one `SET .. PX` per entry, `SET .. NX PX`, `PEXPIRE` /
 * `PERSIST`, `DEL`) atomically. A locally cached generation would save Redis
 * a `GET` but let a process serve entries another process has cleared; the
 * script keeps every process coherent at the cost of a few microseconds of
 * Lua per call. Measured on a loaded 2-core machine against a local Redis 7:
 * Redis spends about 3.5 µs of CPU per script call (a bare `GET` about
 * 0.1 µs, plus the network handling both pay), and `get` reached 65–95 % of
 * the throughput of a raw `GET` + `JSON.parse` (sequential and with 100
 * concurrent callers).
 *
 * **O(1) clear.** {@link RedisNamespace.clear} writes a new random generation:
 * old entries become unreachable at once and expire with their TTL. Nothing is
 * scanned, no other prefix or namespace is touched, and FLUSHDB is never used.
 * Entries written without a TTL stay in memory until Redis evicts them, so
 * give namespaces a `ttl` or run Redis with an `allkeys-*` `maxmemory-policy`.
 * If the generation key itself is lost (evicted, deleted), the namespace reads
 * as empty: old entries are never resurrected.
 *
 * **Foreign data.** Whatever another program writes under the store's keys
 * never breaks a call or sticks: an entry key of another Redis type is a miss
 * and is deleted (`corrupt`), an entry over `maxValueSize` is a miss and is
 * deleted without being decoded (`tooLarge`), and a generation key, delete
 * log, tag record or lease key holding what the store never writes is
 * repaired (`repaired`, see {@link RedisStoreStats}); a repaired generation
 * key or delete log empties the namespace, as a clear does.
 *
 * **Loads in flight across processes.** {@link RedisNamespace.getForLoad}
 * (the read before a load, still one script call) returns on a miss a token:
 * the namespace's generation, the latest entry of its delete log
 * `<prefix>:{<path>}:d` and the server time. A write given that token as
 * `loadToken` stores nothing if, in any process, the namespace was cleared
 * (its generation changed) or that key was deleted since; deletes of other
 * keys do not matter. The check runs inside the write's script. Deletes are
 * remembered for `tombstoneTtl` (the log is a sorted set trimmed on every
 * delete and expiring when idle); a load longer than that, while anything in
 * its namespace was deleted, stores nothing. If the log is lost the guarded
 * write stores nothing either.
 *
 * **Tags.** One sorted set per prefix, `<prefix>:{#<prefix>}:tags`, holds a
 * tag clock (server microseconds, strictly increasing), the clock of each
 * tag's last invalidation, and a floor. A tagged entry records its tags and
 * the clock read when its load started (carried by the load token); reads
 * treat it as a miss (and delete it) if one of its tags was invalidated after
 * that, or if it is older than the floor. {@link RedisNamespace.invalidateTags}
 * is one script call whatever the number of entries, and reaches every
 * namespace and process. Records older than `tagTtl` are trimmed by later
 * invalidations, raising the floor (older tagged entries become misses, never
 * stale); a lost record makes every tagged entry a miss. On a single node a
 * read checks tags in the same script. On a Cluster the record lives in its
 * own slot: tagged entries found by a read take one more call to that slot
 * (untagged entries do not), and once the store has seen a tagged write, a
 * miss takes one more call there to read the clock (a store's first tagged
 * load in a process, with no clock in its token, is not stored).
 * `setIfNotExists` and `expireIn` do not check tags on a Cluster.
 *
 * **Fail-open.** Every call is bounded by `timeout`. While the client is not
 * ready, or after a call timed out until Redis answers a PING again, calls are
 * skipped at once: reads are misses, writes reject with a
 * {@link RedisStoreError} (`E_REDIS_UNAVAILABLE`), which the memoization engine
 * counts as a store error. Nothing is queued; the store recovers by itself.
 * Failures are counted in {@link RedisNamespace.redisStats} and emitted as
 * `'error'` events (only when a listener is attached, so an unobserved store
 * never crashes the process).
 *
 * **Values** go through the `serializer` (lossless {@link EnvelopeSerializer}
 * by default) behind a versioned header; entries that cannot be decoded are
 * misses and are deleted. A value that cannot be serialized rejects the write
 * with a `TypeError`; one whose entry is larger than `maxValueSize` (1 MiB by
 * default) with a {@link ValueTooLargeError}, storing nothing. Stale windows
 * (`staleTtl`) are kept in Redis for `ttl + staleTtl`; the header records the
 * window and the scripts compare it with the key's `PTTL`, so freshness
 * follows the Redis server's clock only.
 *
 * Namespaces take a `ttl`; `maxSize` does not apply (see
 * {@link RedisNamespace.namespace}). `stats()` reports zeros.
 *
 * @example
 * ```ts
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379/0', prefix: 'shop', ttl: '10m' });
 * store.on('error', (error) => logger.warn(error.message));
 * const users = store.namespace('users', { ttl: '1m' });
 * await users.set(42, { name: 'Ada', since: new Date() });
 * (await users.get(42))?.value; // { name: 'Ada', since: Date }
 * await users.clear();          // O(1); other namespaces and prefixes untouched
 * await store.close();
 * ```
 */
export class RedisStore extends RedisNamespace {
  readonly #link: Link;
  /** What the process-wide `invalidateTags()` reaches (held weakly there, so kept here). */
  readonly #tagTarget: TagTarget;

  constructor(options: RedisStoreOptions) {
    const shared = createShared(options);
    super(shared, [], shared.ttl);
    this.#link = shared.link;
    const link = shared.link;
    // Too many invalidations failed during an outage to replay each: clear every namespace this
    // process knows, and drop the tag record (every tagged entry then reads as a miss).
    link.everything = () => [
      ...[...shared.namespaces.values(), this].map((namespace) => namespace.clearReplay()),
      {
        id: 'tags',
        op: 'invalidateTags',
        namespace: '',
        path: [],
        send: (client) => client.del(shared.tagKey),
      },
    ];
    // A closed store holds nothing this process can reach: the global invalidateTags() skips it.
    this.#tagTarget = {
      invalidateTags: (tags) => (link.closed ? Promise.resolve() : this.invalidateTags(tags)),
    };
    registerTagTarget(this.#tagTarget);
  }

  /**
   * The ioredis options the store uses for clients it creates: no offline
   * queue, connect and command timeouts bounded by `timeout` (connect:
   * 4 × timeout, at least 1 s; command: 2 × timeout, as the store's own timer
   * answers first), no retries of a failed command, and reconnection forever
   * (backing off up to 1 s).
   *
   * @param timeout - the store's `timeout`
   * @default timeout: 250 (milliseconds)
   * @example
   * ```ts
   * const client = new Redis('redis://127.0.0.1:6379', { ...RedisStore.clientOptions(), connectionName: 'api' });
   * ```
   */
  static clientOptions(timeout: Duration = DEFAULT_TIMEOUT): RedisFailOpenOptions {
    const ms = parseDuration(timeout, 'RedisStore.clientOptions()', 'timeout');
    return {
      enableOfflineQueue: false,
      connectTimeout: Math.max(1000, Math.ceil(ms * 4)),
      // The store's own timer (timeout) answers first; this one drops the command inside ioredis.
      commandTimeout: Math.ceil(ms * 2),
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    };
  }

  /**
   * Fail-open options for an ioredis `Cluster` to pass as `{ client }`, like
   * {@link RedisStore.clientOptions} for each node.
   *
   * @param timeout - the store's `timeout`
   * @default timeout: 250 (milliseconds)
   * @example
   * ```ts
   * const cluster = new Cluster([{ host: '10.0.0.1', port: 7000 }], RedisStore.clusterOptions());
   * const store = new RedisStore({ client: cluster, prefix: 'shop' });
   * ```
   */
  static clusterOptions(timeout: Duration = DEFAULT_TIMEOUT): RedisClusterFailOpenOptions {
    const redisOptions = RedisStore.clientOptions(timeout);
    const { retryStrategy: _retry, ...perNode } = redisOptions;
    return {
      enableOfflineQueue: false,
      clusterRetryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
      redisOptions: perNode,
    };
  }

  /**
   * Closes a client the store created (`url` / `redis` options); a client
   * passed as `client` is left open. Later calls are skipped (misses, rejected
   * writes).
   */
  override close(): Promise<void> {
    return this.#link.close();
  }
}

type IoredisModule = typeof import('ioredis');

let ioredis: IoredisModule | undefined;

/** Loads ioredis on first use, so memokit works without it for the other stores (it is an optional peer). */
function loadIoredis(where: string): IoredisModule {
  if (ioredis !== undefined) return ioredis;
  try {
    ioredis = createRequire(import.meta.url)('ioredis') as IoredisModule;
  } catch (error) {
    throw new MemokitError('E_MISSING_PEER', messages.IOREDIS_MISSING(where), { cause: error });
  }
  return ioredis;
}

const isClient = (value: unknown): value is RedisClient =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { evalsha?: unknown }).evalsha === 'function' &&
  typeof (value as { status?: unknown }).status === 'string';

function createShared(options: RedisStoreOptions): Shared {
  const where = 'new RedisStore()';
  if (typeof options !== 'object' || options === null) throw new TypeError(messages.BAD_OPTIONS_OBJECT(where, options));
  for (const key of Object.keys(options)) {
    if (!(STORE_OPTIONS as readonly string[]).includes(key)) {
      throw new TypeError(messages.UNKNOWN_OPTION(where, key, STORE_OPTIONS));
    }
  }
  const { client, url, redis } = options;
  const given = (['client', 'url', 'redis'] as const).filter((k) => options[k] !== undefined);
  if (given.length === 0 || (client !== undefined && given.length > 1)) {
    throw new TypeError(messages.REDIS_CONNECTION_OPTIONS(where, given));
  }
  if (client !== undefined && !isClient(client)) throw new TypeError(messages.BAD_REDIS_CLIENT(where, client));
  if (url !== undefined && (typeof url !== 'string' || url === '')) {
    throw new TypeError(messages.BAD_STRING_OPTION(where, 'url', url));
  }
  if (redis !== undefined && (typeof redis !== 'object' || redis === null)) {
    throw new TypeError(messages.BAD_OPTIONS_OBJECT(`${where} option "redis"`, redis));
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new TypeError(messages.BAD_REDIS_PREFIX(where, prefix));
  }
  const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
  const timeout = options.timeout === undefined ? DEFAULT_TIMEOUT : parseDuration(options.timeout, where, 'timeout');
  const retryInterval =
    options.retryInterval === undefined
      ? DEFAULT_RETRY_INTERVAL
      : parseDuration(options.retryInterval, where, 'retryInterval');
  const serializer = options.serializer ?? defaultSerializer;
  assertSerializer(serializer, where);
  const maxValueSize =
    options.maxValueSize === undefined
      ? DEFAULT_MAX_VALUE_SIZE
      : parseByteSize(options.maxValueSize, where, 'maxValueSize');
  const tombstoneTtl = Math.ceil(
    options.tombstoneTtl === undefined
      ? DEFAULT_TOMBSTONE_TTL
      : parseDuration(options.tombstoneTtl, where, 'tombstoneTtl'),
  );
  const tagTtl = Math.ceil(
    options.tagTtl === undefined ? DEFAULT_TAG_TTL : parseDuration(options.tagTtl, where, 'tagTtl'),
  );

  const label = `RedisStore(${JSON.stringify(prefix)})`;
  let link: Link;
  if (client !== undefined) {
    link = new Link(label, client, false, timeout, retryInterval);
  } else {
    const { Redis: RedisClass } = loadIoredis(where);
    const clientOptions: RedisOptions = { ...RedisStore.clientOptions(timeout), ...redis };
    const created = url === undefined ? new RedisClass(clientOptions) : new RedisClass(url, clientOptions);
    link = new Link(label, created as unknown as RedisClient, true, timeout, retryInterval);
  }
  return {
    link,
    prefix,
    ttl,
    serializer,
    header: `${MAGIC}|${serializer.format}|`,
    maxValueSize,
    namespaces: new Map(),
    tagKey: `${prefix}:{#${prefix}}:tags`,
    cluster: (link.client as unknown as { isCluster?: unknown }).isCluster === true,
    tombstoneTtl,
    tagTtl,
    tagged: false,
    repaired: 0,
  };
}
