import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Cache } from '../../../lib/index.js';
import { createStore, RedisStore } from '../../../lib/redis.js';
import { TieredStore } from '../../../lib/tiered.js';
import { testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

// Cache.connect() and Cache.use() wait until a Redis store made from a URL serves calls (bounded by
// its connect timeout), so the first write after them lands in Redis.

const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

/** A store of its own on `prefix`, connected, to read what the cache wrote. */
async function readerOf(prefix: string): Promise<RedisStore> {
  const store = new RedisStore({ url: testRedisUrl(), prefix });
  open.push(store);
  if (!(await store.ready(5000))) throw new Error('the reader store did not connect');
  return store;
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe('Cache.connect() and Cache.use() on a store made from a redis:// URL', () => {
  it("a redis:// string as Cache's store is a TypeError naming the option and memokit/redis", () => {
    const url = 'redis://127.0.0.1:6379?prefix=nope';
    expect(() => new Cache({ store: url })).toThrow(TypeError);
    expect(() => new Cache({ store: url })).toThrow(
      `new Cache(): option "store" is a Redis URL ("${url}"), and Redis stores come from 'memokit/redis'`,
    );
  });

  it('await cache.connect() then set: the value is in Redis', async () => {
    const prefix = uniquePrefix('connect');
    const store = createStore(`${testRedisUrl()}?prefix=${prefix}`);
    const cache = new Cache({ store });
    open.push(cache, store);
    const ready = await cache.connect();
    await cache.set('greeting', 'hello');
    const reader = (await readerOf(prefix)).namespace('cache');
    expect((await reader.get('greeting'))?.value).toBe('hello');
    expect(ready).toBe(true);
  });

  it('Cache.use({ store }, fn) with a store made from a redis:// URL runs fn once it is ready: its write lands', async () => {
    const prefix = uniquePrefix('use');
    const store = createStore(`${testRedisUrl()}?prefix=${prefix}`);
    open.push(store);
    const stored = await Cache.use({ store, prefix: 'jobs' }, async (cache) => {
      await cache.set('test', 'Ok!');
      return cache.get('test');
    });
    expect(stored).toBe('Ok!');
    const reader = (await readerOf(prefix)).namespace('jobs');
    expect((await reader.get('test'))?.value).toBe('Ok!');
  });

  it('connect() on a tiered store instance waits for Redis and the bus', async () => {
    const prefix = uniquePrefix('connect-tiered');
    const tiered = new TieredStore({ redis: { url: testRedisUrl(), prefix } });
    open.push(tiered);
    const cache = new Cache({ store: tiered });
    const ready = await cache.connect();
    await cache.set('k', 42);
    expect((await (await readerOf(prefix)).namespace('cache').get('k'))?.value).toBe(42);
    expect(ready).toBe(true);
  });

  it('an unreachable Redis: connect() resolves false after the connect timeout, and the cache fails open', async () => {
    const store = createStore(`redis://127.0.0.1:${await closedPort()}?prefix=${uniquePrefix('down')}`);
    const cache = new Cache({ store });
    open.push(cache, store);
    const started = performance.now();
    expect(await cache.connect()).toBe(false);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900); // the connect timeout: 1 s with the default options
    expect(elapsed).toBeLessThan(2000);
    expect(await cache.getOrSet('k', async () => 'loaded')).toBe('loaded'); // served by the loader
  });

  it('a memory store is ready at once', async () => {
    const cache = new Cache({ store: 'memory://' });
    open.push(cache);
    expect(await cache.connect()).toBe(true);
  });
});
