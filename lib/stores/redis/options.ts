/**
 * Options of a Redis store: their types and documentation, their defaults,
 * and the one place they are validated (errors name the option and value).
 * Also the fail-open ioredis options the store gives the clients it creates.
 */
import { parseByteSize, type ByteSize } from '../../util/byte-size.js';
import { parseDuration, type Duration } from '../../util/duration.js';
import { messages } from '../../util/messages.js';
import { assertKnownOptions, nonEmptyString } from '../../util/options.js';
import { defaultSerializer } from '../../codec/envelope.js';
import { assertSerializer, type Serializer } from '../../codec/serializer.js';
import { DEFAULT_MAX_VALUE_SIZE } from '../../codec/value-size.js';
import { reconnectDelay } from '../resilience/circuit-breaker.js';
import { isRedisClient } from './client.js';
import type {
  RedisClient,
  RedisClusterFailOpenOptions,
  RedisConnectionOptions,
  RedisFailOpenOptions,
} from './types.js';

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
   * entry header (about 10 bytes, 20 with a TTL, more with a stale window or tags). A number
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

const DEFAULT_PREFIX = 'memokit';
/** The `timeout` option's default, in milliseconds. */
export const DEFAULT_TIMEOUT = 250;
const DEFAULT_RETRY_INTERVAL = 500;
const DEFAULT_TOMBSTONE_TTL = 60_000;
const DEFAULT_TAG_TTL = 86_400_000;
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

/**
 * {@link RedisStoreOptions} validated, with their defaults applied and
 * durations and sizes in milliseconds and bytes.
 *
 * @example
 * ```ts
 * const { prefix, timeout } = parseRedisStoreOptions({ url: 'redis://127.0.0.1' }, 'new RedisStore()');
 * ```
 */
export interface RedisStoreSettings {
  readonly client: RedisClient | undefined;
  readonly url: string | undefined;
  readonly redis: RedisConnectionOptions | undefined;
  readonly prefix: string;
  readonly ttl: number | undefined;
  readonly timeout: number;
  readonly retryInterval: number;
  readonly serializer: Serializer;
  readonly maxValueSize: number;
  readonly tombstoneTtl: number;
  readonly tagTtl: number;
}

/**
 * Validates `options` (a `TypeError` naming the option and its value for
 * anything wrong, and for unknown options) and applies the defaults.
 *
 * @example
 * ```ts
 * parseRedisStoreOptions({ url: 'redis://127.0.0.1', ttl: '10m' }, 'new RedisStore()').ttl; // 600000
 * ```
 */
export function parseRedisStoreOptions(options: RedisStoreOptions, where: string): RedisStoreSettings {
  assertKnownOptions(where, options, STORE_OPTIONS);
  const { client, url, redis } = options;
  const given = (['client', 'url', 'redis'] as const).filter((k) => options[k] !== undefined);
  if (given.length === 0 || (client !== undefined && given.length > 1)) {
    throw new TypeError(messages.REDIS_CONNECTION_OPTIONS(where, given));
  }
  if (client !== undefined && !isRedisClient(client)) throw new TypeError(messages.BAD_REDIS_CLIENT(where, client));
  nonEmptyString(where, 'url', url, undefined);
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

  return { client, url, redis, prefix, ttl, timeout, retryInterval, serializer, maxValueSize, tombstoneTtl, tagTtl };
}

/**
 * The fail-open ioredis options of a client the store creates; see `RedisStore.clientOptions`.
 *
 * @default timeout: 250 (milliseconds)
 * @example
 * ```ts
 * failOpenClientOptions(100).commandTimeout; // 200
 * ```
 */
export function failOpenClientOptions(timeout: Duration = DEFAULT_TIMEOUT): RedisFailOpenOptions {
  const ms = parseDuration(timeout, 'RedisStore.clientOptions()', 'timeout');
  return {
    enableOfflineQueue: false,
    connectTimeout: Math.max(1000, Math.ceil(ms * 4)),
    // The store's own timer (timeout) answers first; this one drops the command inside ioredis.
    commandTimeout: Math.ceil(ms * 2),
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelay,
  };
}

/**
 * The fail-open ioredis `Cluster` options; see `RedisStore.clusterOptions`.
 *
 * @default timeout: 250 (milliseconds)
 * @example
 * ```ts
 * failOpenClusterOptions().enableOfflineQueue; // false
 * ```
 */
export function failOpenClusterOptions(timeout: Duration = DEFAULT_TIMEOUT): RedisClusterFailOpenOptions {
  const { retryStrategy: _retry, ...perNode } = failOpenClientOptions(timeout);
  return { enableOfflineQueue: false, clusterRetryStrategy: reconnectDelay, redisOptions: perNode };
}
