import { parseByteSize } from '../util/byte-size.js';
import { parseDuration } from '../util/duration.js';
import { messages } from '../util/messages.js';
import { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.js';
import { NullStore } from './null-store.js';
import { RedisStore, type RedisStoreOptions } from './redis/redis-store.js';
import type { CacheStore } from './contract.js';

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

const SCHEMES = ['memory', 'redis', 'rediss', 'null'] as const;
const REDIS_URL_OPTIONS = ['prefix', 'ttl', 'timeout', 'retryInterval', 'maxValueSize'] as const;

/** Reads the query of a store URL, rejecting options the scheme does not know. */
function queryOptions(url: URL, scheme: string, known: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!known.includes(key)) throw new TypeError(messages.UNKNOWN_URL_OPTION(url.href, scheme, key, known));
    found.set(key, value);
  }
  return found;
}

/** A duration from a URL: a bare number is milliseconds, otherwise a duration string ('10m'). */
const urlDuration = (value: string, url: string, option: string): number =>
  parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value, `createStore(${JSON.stringify(url)})`, option);

/** A size from a URL: a bare integer is bytes, otherwise a size string ('512kb', '1mb'). */
const urlByteSize = (value: string, url: string, option: string): number =>
  parseByteSize(/^\d+$/.test(value) ? Number(value) : value, `createStore(${JSON.stringify(url)})`, option);

function redisStore(url: string, parsed: URL, scheme: string, overrides: RedisUrlOverrides): RedisStore {
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
 * Creates a store from a URL:
 * - `memory://?max=10000&ttl=5m` — an in-process {@link MemoryStore}
 * - `redis://[user:password@]host[:port][/db]?prefix=shop&ttl=10m&timeout=250ms`
 *   (or `rediss://` for TLS) — a {@link RedisStore}; query options: `prefix`,
 *   `ttl`, `timeout`, `retryInterval` (durations: `250ms`, `10m`, or a number
 *   of milliseconds), `maxValueSize` (`512kb`, `1mb`, or a number of bytes)
 * - `null://` — a {@link NullStore} that caches nothing
 *
 * Unknown schemes and unknown query options are errors, never ignored.
 * Options passed in code override the URL's.
 *
 * @param url - the store URL
 * @param overrides - options that win over the URL's
 * @example
 * ```ts
 * const local = createStore('memory://?max=10000&ttl=5m');
 * const shared = createStore('redis://127.0.0.1:6379/0?prefix=shop&ttl=10m', { timeout: 100 });
 * ```
 */
export function createStore(url: `memory://${string}`, overrides?: MemoryStoreOptions): MemoryStore;
export function createStore(url: `redis://${string}` | `rediss://${string}`, overrides?: RedisUrlOverrides): RedisStore;
export function createStore(url: `null://${string}`, overrides?: Record<string, never>): NullStore;
export function createStore(url: string, overrides?: StoreUrlOverrides): CacheStore;
export function createStore(url: string, overrides: StoreUrlOverrides = {}): CacheStore {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TypeError(messages.BAD_STORE_URL(url), { cause: error });
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  switch (scheme) {
    case 'memory': {
      const query = queryOptions(parsed, scheme, ['max', 'ttl']);
      const options: MemoryStoreOptions = {};
      const max = query.get('max');
      if (max !== undefined) options.max = Number(max);
      const ttl = query.get('ttl');
      if (ttl !== undefined) options.ttl = urlDuration(ttl, url, 'ttl');
      return new MemoryStore({ ...options, ...(overrides as MemoryStoreOptions) });
    }
    case 'redis':
    case 'rediss':
      return redisStore(url, parsed, scheme, overrides as RedisUrlOverrides);
    case 'null': {
      queryOptions(parsed, scheme, []);
      const extra = typeof overrides === 'object' && overrides !== null ? Object.keys(overrides) : [];
      if (extra[0] !== undefined) throw new TypeError(messages.UNKNOWN_URL_OPTION(url, scheme, extra[0], []));
      return new NullStore();
    }
    default:
      throw new TypeError(messages.UNKNOWN_STORE_SCHEME(url, scheme, SCHEMES));
  }
}
