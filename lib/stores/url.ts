import { parseByteSize } from '../util/byte-size.js';
import { parseDuration } from '../util/duration.js';
import { messages } from '../util/messages.js';
import { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.js';
import { NullStore } from './null-store.js';
import type { CacheStore } from './contract.js';

/** Every scheme a store URL may have (`redis`/`rediss` through `memokit/redis`). */
const SCHEMES = ['memory', 'redis', 'rediss', 'null'] as const;

/** Whether a store URL's scheme is Redis's (`redis`, or `rediss` for TLS). @internal */
export const isRedisScheme = (scheme: string): boolean => scheme === 'redis' || scheme === 'rediss';

/** The error for a scheme no store URL has, listing the known ones. @internal */
export const unknownScheme = (url: string, scheme: string): TypeError =>
  new TypeError(messages.UNKNOWN_STORE_SCHEME(url, scheme, SCHEMES));

/**
 * Freshness policies: how a method or cache reads its entries (serve an
 * expired value, reload early, bound a load), not what a store holds, so no
 * store URL takes them; the store's own `ttl` is the default expiry.
 */
const READER_POLICIES: readonly string[] = ['staleWhileRevalidate', 'refreshAhead', 'failSafe', 'jitter', 'timeout'];

/** Reads the query of a store URL, rejecting options the scheme does not know. @internal */
export function queryOptions(url: URL, scheme: string, known: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!known.includes(key)) {
      if (READER_POLICIES.includes(key)) throw new TypeError(messages.POLICY_IN_STORE_URL(url.href, key));
      throw new TypeError(messages.UNKNOWN_URL_OPTION(url.href, scheme, key, known));
    }
    found.set(key, value);
  }
  return found;
}

/** A duration from a URL: a bare number is milliseconds, otherwise a duration string ('10m'). @internal */
export const urlDuration = (value: string, url: string, option: string): number =>
  parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value, `createStore(${JSON.stringify(url)})`, option);

/** A size from a URL: a bare integer is bytes, otherwise a size string ('512kb', '1mb'). @internal */
export const urlByteSize = (value: string, url: string, option: string): number =>
  parseByteSize(/^\d+$/.test(value) ? Number(value) : value, `createStore(${JSON.stringify(url)})`, option);

/**
 * Options given in code next to a `memory://` or `null://` URL. They win over
 * the URL's query options (as in the `caches` library: the URL value is
 * discarded). Options the scheme does not take are a `TypeError`.
 *
 * @example
 * ```ts
 * createStore('memory://?max=100', { max: 500 }); // max is 500
 * ```
 */
export type StoreUrlOverrides = MemoryStoreOptions;

/** A parsed store URL: the URL and its scheme without the colon. @internal */
export interface StoreUrl {
  readonly url: string;
  readonly parsed: URL;
  readonly scheme: string;
}

/** Parses a store URL; a string that is no URL is a `TypeError`. @internal */
export function parseStoreUrl(url: string): StoreUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TypeError(messages.BAD_STORE_URL(url), { cause: error });
  }
  return { url, parsed, scheme: parsed.protocol.replace(/:$/, '') };
}

/** The store of an in-process scheme (`memory://`, `null://`), or `undefined` for another scheme. @internal */
export function inProcessStore({ url, parsed, scheme }: StoreUrl, overrides: object): CacheStore | undefined {
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
    case 'null': {
      queryOptions(parsed, scheme, []);
      const extra = typeof overrides === 'object' && overrides !== null ? Object.keys(overrides) : [];
      if (extra[0] !== undefined) throw new TypeError(messages.UNKNOWN_URL_OPTION(url, scheme, extra[0], []));
      return new NullStore();
    }
    default:
      return undefined;
  }
}

/**
 * Creates an in-process store from a URL:
 * - `memory://?max=10000&ttl=5m` — a {@link MemoryStore} (`ttl` in ms or with a unit)
 * - `null://` — a {@link NullStore} that caches nothing
 *
 * `redis://` and `rediss://` URLs are served by the `createStore` of
 * `memokit/redis`, which knows every scheme: importing `memokit` loads no Redis
 * code. Unknown schemes and unknown query options are errors, never ignored.
 * Options passed in code override the URL's.
 *
 * @param url - the store URL
 * @param overrides - options that win over the URL's
 * @example
 * ```ts
 * const local = createStore('memory://?max=10000&ttl=5m');
 * const off = createStore('null://');
 * ```
 */
export function createStore(url: `memory://${string}`, overrides?: MemoryStoreOptions): MemoryStore;
export function createStore(url: `null://${string}`, overrides?: Record<string, never>): NullStore;
export function createStore(url: string, overrides?: StoreUrlOverrides): CacheStore;
export function createStore(url: string, overrides: StoreUrlOverrides = {}): CacheStore {
  const parsed = parseStoreUrl(url);
  const store = inProcessStore(parsed, overrides);
  if (store !== undefined) return store;
  if (isRedisScheme(parsed.scheme)) {
    throw new TypeError(messages.REDIS_URL_NEEDS_REDIS_ENTRY(url));
  }
  throw unknownScheme(url, parsed.scheme);
}
