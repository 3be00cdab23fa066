import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { MemoryStore } from '../../lib/stores/memory/memory-store.js';
import { NullStore } from '../../lib/stores/null-store.js';
import { RedisStore } from '../../lib/stores/redis/index.js';
import { createStore } from '../../lib/stores/any-url.js';
import { createStore as createInProcessStore } from '../../lib/stores/url.js';
import type { CacheStore } from '../../lib/stores/contract.js';
import { testRedisUrl, uniquePrefix } from '../setup/redis-env.js';
import { typeErrorOf } from '../helpers/errors.js';

/** The TypeError message thrown by `run`, or fails the test when nothing is thrown. */
/** `redis://host:port/<db>?<query>` for the test server. */
const redisUrl = (query: string, db = '/0'): `redis://${string}` => {
  const { host } = new URL(testRedisUrl());
  return `redis://${host}${db}${query}`;
};

describe('createStore', () => {
  const open: CacheStore[] = [];
  let raw: Redis | undefined;

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    raw?.disconnect();
    raw = undefined;
  });

  const track = <S extends CacheStore>(store: S): S => {
    open.push(store);
    return store;
  };

  /** PTTL of `key` in `store`'s root namespace, read directly from Redis. */
  async function pttl(prefix: string, key: string, db = 0): Promise<number> {
    raw ??= new Redis(testRedisUrl(), { db });
    const generation = await raw.get(`${prefix}:{/}:g`);
    return raw.pttl(`${prefix}:{/}:${generation}:${key}`);
  }

  it('creates memory and null stores, as before', async () => {
    const memory = track(createStore('memory://?max=2&ttl=5m'));
    expect(memory).toBeInstanceOf(MemoryStore);
    const nothing = track(createStore('null://'));
    expect(nothing).toBeInstanceOf(NullStore);
    await nothing.set('a', 1);
    expect(await nothing.get('a')).toBeUndefined();
  });

  it('creates a Redis store with prefix and ttl from the URL', async () => {
    const prefix = uniquePrefix('url');
    const store = track(createStore(redisUrl(`?prefix=${prefix}&ttl=10m&timeout=500ms&retryInterval=100`)));
    expect(store).toBeInstanceOf(RedisStore);
    expect(store.kind).toBe('redis');
    expect(await store.ready()).toBe(true);
    await store.set('a', { at: new Date(1) });
    expect((await store.get('a'))?.value).toEqual({ at: new Date(1) });
    const left = await pttl(prefix, 'a');
    expect(left).toBeGreaterThan(9 * 60_000);
    expect(left).toBeLessThanOrEqual(10 * 60_000);
  });

  it('reads the database number from the path', async () => {
    const prefix = uniquePrefix('db');
    const store = track(createStore(redisUrl(`?prefix=${prefix}`, '/3')));
    expect(await store.ready()).toBe(true);
    await store.set('a', 1);
    expect(await pttl(prefix, 'a', 3)).toBe(-1);
    raw?.disconnect();
    raw = new Redis(testRedisUrl(), { db: 0 });
    expect(await raw.exists(`${prefix}:{/}:g`)).toBe(0);
  });

  it('lets options given in code win over the URL', async () => {
    const prefix = uniquePrefix('override');
    const store = track(createStore(redisUrl(`?prefix=ignored&ttl=10m`), { prefix, ttl: '1m' }));
    expect(await store.ready()).toBe(true);
    await store.set('a', 1);
    const left = await pttl(prefix, 'a');
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
    const memory = track(createStore('memory://?max=100', { max: 1 }));
    await memory.set('a', 1);
    await memory.set('b', 2);
    expect(memory.stats().size).toBe(1);
  });

  it('rejects unknown options and malformed values with TypeErrors naming them', () => {
    expect(typeErrorOf(() => createStore(redisUrl('?prefix=a&maxSize=5')))).toMatch(
      /unknown option "maxSize" for redis:\/\/. Known options: prefix, ttl, timeout, retryInterval/,
    );
    expect(typeErrorOf(() => createStore(redisUrl('?family=6')))).toMatch(/unknown option "family"/);
    expect(typeErrorOf(() => createStore(redisUrl('?ttl=soon')))).toMatch(/option "ttl" must be a positive duration/);
    expect(typeErrorOf(() => createStore(redisUrl('?prefix=a{b}')))).toMatch(/"prefix"/);
    expect(typeErrorOf(() => createStore(redisUrl('', '/zero')))).toMatch(/must be a database number/);
    expect(typeErrorOf(() => createStore(redisUrl(''), { max: 5 } as never))).toMatch(/unknown option "max"/);
    expect(typeErrorOf(() => createStore(redisUrl(''), { client: {} } as never))).toMatch(
      /option "client" cannot be combined with a redis:\/\/ URL/,
    );
    expect(typeErrorOf(() => createStore('memory://', { prefix: 'x' } as never))).toMatch(/unknown option "prefix"/);
    expect(typeErrorOf(() => createStore('null://', { ttl: 5 } as never))).toMatch(/unknown option "ttl" for null/);
    expect(typeErrorOf(() => createStore('memcached://x'))).toMatch(
      /Known schemes: memory:\/\/, redis:\/\/, rediss:\/\//,
    );
    expect(typeErrorOf(() => createStore('not a url'))).toMatch(/is not a valid URL/);
  });

  it('a freshness policy in a store URL says where it belongs (the reader, not the store)', () => {
    expect(typeErrorOf(() => createStore('memory://?ttl=1m&staleWhileRevalidate=10m'))).toMatch(
      /"staleWhileRevalidate" is a freshness policy of the method or cache that reads the store, not an option of the store\. Set it on @AsyncTTL, new Cache\(\) or a scope/,
    );
    expect(typeErrorOf(() => createStore(redisUrl('?refreshAhead=0.8')))).toMatch(
      /"refreshAhead" is a freshness policy/,
    );
    expect(typeErrorOf(() => createStore('memory://?timeout=1s'))).toMatch(/"timeout" is a freshness policy/);
    // A Redis store's own timeout (its commands') is a store option, as before.
    expect(track(createStore(redisUrl(`?prefix=${uniquePrefix('url-timeout')}&timeout=250ms`))).kind).toBe('redis');
  });

  it("memokit's own createStore builds in-process stores and sends redis:// to memokit/redis, naming it", () => {
    expect(track(createInProcessStore('memory://?max=2')).kind).toBe('memory');
    expect(track(createInProcessStore('null://')).kind).toBe('null');
    for (const url of ['redis://127.0.0.1:6379', 'rediss://cache.example:6380/1']) {
      expect(typeErrorOf(() => createInProcessStore(url))).toBe(
        `createStore(${JSON.stringify(url)}): Redis stores come from 'memokit/redis' (importing 'memokit' loads no Redis code). ` +
          `Use import { createStore } from 'memokit/redis' (it knows every scheme), and install ioredis.`,
      );
    }
    expect(typeErrorOf(() => createInProcessStore('memcached://x'))).toMatch(
      /Known schemes: memory:\/\/, redis:\/\/, rediss:\/\/, null:\/\//,
    );
    expect(typeErrorOf(() => createInProcessStore('not a url'))).toMatch(/is not a valid URL/);
  });
});
