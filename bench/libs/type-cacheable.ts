/**
 * @type-cacheable/core 14: `@Cacheable()` with its default key (an md5 of the
 * serialized arguments and method name). The core ships no in-memory client;
 * its in-memory option is the `@type-cacheable/lru-cache-adapter` package, which
 * is not installed, so {@link LruCacheClient} is a minimal equivalent of that
 * adapter (the same calls on lru-cache). No TTL.
 */
import * as typeCacheable from '@type-cacheable/core';
import { LRUCache } from 'lru-cache';
import type { Build, Built, BuildSpec } from './contract.js';

const { Cacheable } = typeCacheable;
// CommonJS: `default` is module.exports, whose own `default` is the CacheManager singleton.
const cacheManager = typeCacheable.default.default;

/** What `useAdapter(new LRUCache(...))` from @type-cacheable/lru-cache-adapter installs. */
class LruCacheClient implements typeCacheable.CacheClient {
  constructor(readonly lru: LRUCache<string, NonNullable<unknown>>) {}

  async get(cacheKey: string): Promise<unknown> {
    return this.lru.get(cacheKey);
  }

  async set(cacheKey: string, value: NonNullable<unknown>, ttlSeconds?: number): Promise<unknown> {
    return this.lru.set(cacheKey, value, ttlSeconds ? { ttl: ttlSeconds * 1000 } : undefined);
  }

  async del(keyOrKeys: string | string[]): Promise<number> {
    const keys = Array.isArray(keyOrKeys) ? keyOrKeys : [keyOrKeys];
    for (const key of keys) this.lru.delete(key);
    return keys.length;
  }

  async keys(pattern: string): Promise<string[]> {
    const regExp = new RegExp(pattern);
    return [...this.lru.keys()].filter((key) => regExp.test(key));
  }

  async delHash(hashKeyOrKeys: string | string[]): Promise<void> {
    const hashKeys = Array.isArray(hashKeyOrKeys) ? hashKeyOrKeys : [hashKeyOrKeys];
    for (const hashKey of hashKeys) await this.del(await this.keys(hashKey));
  }

  getClientTTL(): number {
    return 0;
  }
}

export const build: Build = <A>(spec: BuildSpec<A>): Built<A> => {
  const { loader } = spec;
  const lru = new LRUCache<string, NonNullable<unknown>>({ max: spec.max });
  cacheManager.setClient(new LruCacheClient(lru));
  class Service {
    @Cacheable()
    get(arg: A): Promise<unknown> {
      return loader(arg);
    }
  }
  return { svc: new Service(), size: () => lru.size };
};
