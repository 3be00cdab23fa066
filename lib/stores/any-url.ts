import { messages } from '../util/messages.js';
import type { CacheStore } from './contract.js';
import type { MemoryStore, MemoryStoreOptions } from './memory/memory-store.js';
import type { NullStore } from './null-store.js';
import {
  inProcessStore,
  isRedisScheme,
  parseStoreUrl,
  queryOptions,
  unknownScheme,
  urlByteSize,
  urlDuration,
  type StoreUrl,
} from './url.js';
import type { RedisStoreOptions } from './redis/options.js';
import { RedisStore } from './redis/index.js';

/**
 * Options given in code next to a `redis://` URL: every {@link RedisStore}
 * option except the connection (`url`, `client`), which the URL gives. Other
 * ioredis options (TLS, `connectionName`, ...) go in `redis`.
 *
 * @example
 * ```ts
 * createStore('redis://cache:6379/0?prefix=shop', { ttl: '5m', redis: { connectionName: 'api' } });
 * ```
 */
export type RedisUrlOverrides = Omit<RedisStoreOptions, 'url' | 'client'>;

/**
 * Options given in code next to a store URL. They win over the URL's query
 * options (as in the `caches` library: the URL value is discarded). Which
 * options apply depends on the scheme; others are a `TypeError`.
 *
 * @example
 * ```ts
 * createStore('memory://?max=100', { max: 500 });           // max is 500
 * createStore('redis://127.0.0.1:6379?ttl=1m', { ttl: '5m' }); // ttl is 5 minutes
 * ```
 */
export type StoreUrlOverrides = MemoryStoreOptions | RedisUrlOverrides;

/**
 * Options given in code next to any store URL `memokit/redis`'s
 * {@link createStore} takes. They win over the URL's query options. Which
 * options apply depends on the scheme; others are a `TypeError`.
 *
 * @example
 * ```ts
 * createStore('redis://127.0.0.1:6379?ttl=1m', { ttl: '5m' }); // ttl is 5 minutes
 * ```
 */
export type AnyStoreUrlOverrides = MemoryStoreOptions | RedisUrlOverrides;

const REDIS_URL_OPTIONS = ['prefix', 'ttl', 'timeout', 'retryInterval', 'maxValueSize'] as const;

function redisStore({ url, parsed, scheme }: StoreUrl, overrides: RedisUrlOverrides): RedisStore {
  const query = queryOptions(parsed, scheme, REDIS_URL_OPTIONS);
  if (!/^\/?(\d+)?$/.test(parsed.pathname)) throw new TypeError(messages.BAD_REDIS_URL_DB(url, parsed.pathname));
  for (const option of ['url', 'client'] as const) {
    if (typeof overrides === 'object' && overrides !== null && option in overrides) {
      throw new TypeError(messages.REDIS_URL_CONNECTION_OVERRIDE(url, option));
    }
  }
  const options: RedisStoreOptions = {};
  const prefix = query.get('prefix');
  if (prefix !== undefined) options.prefix = prefix;
  for (const option of ['ttl', 'timeout', 'retryInterval'] as const) {
    const value = query.get(option);
    if (value !== undefined) options[option] = urlDuration(value, url, option);
  }
  const maxValueSize = query.get('maxValueSize');
  if (maxValueSize !== undefined) options.maxValueSize = urlByteSize(maxValueSize, url, 'maxValueSize');
  // ioredis reads query parameters as its own options: hand it the address only.
  const connection = new URL(parsed.href);
  connection.search = '';
  connection.hash = '';
  return new RedisStore({ ...options, ...overrides, url: connection.href });
}

/**
 * Creates a store from a URL, Redis included:
 * - `redis://[user:password@]host[:port][/db]?prefix=shop&ttl=10m&timeout=250ms`
 *   (or `rediss://` for TLS) — a {@link RedisStore}; query options: `prefix`,
 *   `ttl`, `timeout`, `retryInterval` (durations: `250ms`, `10m`, or a number
 *   of milliseconds), `maxValueSize` (`512kb`, `1mb`, or a number of bytes)
 * - `memory://?max=10000&ttl=5m` and `null://`, as `memokit`'s `createStore`
 *
 * Unknown schemes and unknown query options are errors, never ignored.
 * Options passed in code override the URL's.
 *
 * @param url - the store URL
 * @param overrides - options that win over the URL's
 * @example
 * ```ts
 * import { createStore } from 'memokit/redis';
 * const shared = createStore('redis://127.0.0.1:6379/0?prefix=shop&ttl=10m', { timeout: 100 });
 * ```
 */
export function createStore(url: `memory://${string}`, overrides?: MemoryStoreOptions): MemoryStore;
export function createStore(url: `redis://${string}` | `rediss://${string}`, overrides?: RedisUrlOverrides): RedisStore;
export function createStore(url: `null://${string}`, overrides?: Record<string, never>): NullStore;
export function createStore(url: string, overrides?: AnyStoreUrlOverrides): CacheStore;
export function createStore(url: string, overrides: AnyStoreUrlOverrides = {}): CacheStore {
  const parsed = parseStoreUrl(url);
  if (isRedisScheme(parsed.scheme)) return redisStore(parsed, overrides as RedisUrlOverrides);
  const store = inProcessStore(parsed, overrides);
  if (store !== undefined) return store;
  throw unknownScheme(url, parsed.scheme);
}
