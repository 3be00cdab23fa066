/**
 * Redis down, slow or back: the store answers at once (misses, rejected
 * writes), pays the timeout at most once, and recovers by itself. These tests
 * kill and pause Redis, so each suite starts its own server.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { AsyncTTL } from '../../../lib/api/decorators.js';
import { cacheStats } from '../../../lib/api/control.js';
import { RedisStore, RedisStoreError } from '../../../lib/stores/redis/index.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { eventually, uniquePrefix } from '../../setup/redis-env.js';

const TIMEOUT = 100;

/** Milliseconds `run` takes. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<RedisStoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RedisStoreError);
    return error as RedisStoreError;
  }
  throw new Error('expected a rejection');
}

describe('RedisStore fail-open: Redis stopped and restarted', () => {
  let server: RedisServer;
  let store: RedisStore;
  let events: string[];

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  beforeEach(async () => {
    store = new RedisStore({ url: server.url, prefix: uniquePrefix('down'), timeout: TIMEOUT, retryInterval: 50 });
    events = [];
    store.on('error', (error) => events.push(`error:${error.code}`));
    store.on('unavailable', (error) => events.push(`unavailable:${error.code}`));
    store.on('available', () => events.push('available'));
    expect(await store.ready()).toBe(true);
  });

  afterEach(async () => {
    await store.close();
  });

  it('misses at once and rejects writes while Redis is down, then recovers by itself', async () => {
    await store.set('a', 1);
    await server.stop();
    await eventually(() => !store.redisStats().available);
    expect(events).toContain('unavailable:E_REDIS_UNAVAILABLE');

    const reads = await timed(async () => [
      await store.get('a'),
      await store.getFailSafe('a'),
      await store.has('a'),
      await store.getMany(['a', 'b']),
    ]);
    expect(reads.result).toEqual([undefined, undefined, false, [undefined, undefined]]);
    expect(reads.ms).toBeLessThan(TIMEOUT);

    const writes = await timed(() =>
      Promise.all([
        rejection(store.set('a', 2)),
        rejection(store.setMany([['b', 1]])),
        rejection(store.setIfNotExists('c', 1)),
        rejection(store.delete('a')),
        rejection(store.expireIn('a', 1000)),
        rejection(store.clear()),
      ]),
    );
    expect(writes.ms).toBeLessThan(TIMEOUT);
    for (const error of writes.result) {
      expect(error.code).toBe('E_REDIS_UNAVAILABLE');
      expect(error.message).toMatch(/was skipped because Redis is not available/);
    }
    expect(writes.result.map((e) => e.operation)).toEqual([
      'set',
      'setMany',
      'setIfNotExists',
      'delete',
      'expireIn',
      'clear',
    ]);
    expect(store.redisStats().skipped).toBeGreaterThanOrEqual(10);

    await server.restart();
    expect(await store.ready(5000)).toBe(true);
    expect(events).toContain('available');
    expect((await store.get('a'))?.value).toBeUndefined(); // a fresh server: the data is gone, not an error
    await store.set('a', 3);
    expect((await store.get('a'))?.value).toBe(3);
  });

  it('starts without Redis, serving misses, and connects when Redis comes up', async () => {
    await server.stop();
    const late = new RedisStore({ url: server.url, prefix: uniquePrefix('late'), timeout: TIMEOUT, retryInterval: 50 });
    const codes: string[] = [];
    late.on('error', (error) => codes.push(error.code));
    try {
      expect(await late.ready(300)).toBe(false);
      const { ms, result } = await timed(() => late.get('x'));
      expect(result).toBeUndefined();
      expect(ms).toBeLessThan(TIMEOUT);
      expect((await rejection(late.set('x', 1))).code).toBe('E_REDIS_UNAVAILABLE');
      expect(codes).toContain('E_REDIS_CONNECTION');
      await server.restart();
      expect(await late.ready(5000)).toBe(true);
      await late.set('x', 1);
      expect((await late.get('x'))?.value).toBe(1);
    } finally {
      await late.close();
    }
  });
});

describe('RedisStore fail-open: Redis paused (connected but silent)', () => {
  let server: RedisServer;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    server.resume();
    await server.stop();
  });

  beforeEach(async () => {
    store = new RedisStore({ url: server.url, prefix: uniquePrefix('paused'), timeout: TIMEOUT, retryInterval: 50 });
    expect(await store.ready()).toBe(true);
  });

  afterEach(async () => {
    server.resume();
    await store.close();
  });

  it('pays the timeout once, then skips at once until Redis answers again', async () => {
    await store.set('a', 'cached');
    const errors: RedisStoreError[] = [];
    const unavailable: RedisStoreError[] = [];
    store.on('error', (error) => errors.push(error));
    store.on('unavailable', (error) => unavailable.push(error));
    server.pause();

    const first = await timed(() => store.get('a'));
    expect(first.result).toBeUndefined();
    expect(first.ms).toBeGreaterThanOrEqual(TIMEOUT - 5);
    expect(first.ms).toBeLessThan(TIMEOUT * 5);
    expect(errors.map((e) => e.code)).toEqual(['E_REDIS_TIMEOUT']);
    expect(errors[0]?.message).toMatch(/within 100 ms \(option "timeout"\)/);
    expect(unavailable).toHaveLength(1);

    const next = await timed(async () => {
      for (let i = 0; i < 20; i++) expect(await store.get('a')).toBeUndefined();
      return rejection(store.set('b', 1));
    });
    expect(next.ms).toBeLessThan(TIMEOUT);
    expect(next.result.code).toBe('E_REDIS_UNAVAILABLE');
    expect(store.redisStats()).toMatchObject({ available: false, timeouts: 1 });

    server.resume();
    await eventually(() => store.redisStats().available, 3000);
    expect((await store.get('a'))?.value).toBe('cached');
  });

  it('rejects a write that times out', async () => {
    server.pause();
    const { ms, result } = await timed(() => rejection(store.set('a', 1)));
    expect(result.code).toBe('E_REDIS_TIMEOUT');
    expect(ms).toBeLessThan(TIMEOUT * 5);
  });

  it('bounds calls through a client the user configured without timeouts', async () => {
    const client = new Redis(server.url); // offline queue on, no command timeout
    const userStore = new RedisStore({ client, prefix: uniquePrefix('user-client'), timeout: TIMEOUT });
    try {
      expect(await userStore.ready()).toBe(true);
      server.pause();
      const { ms, result } = await timed(() => userStore.get('a'));
      expect(result).toBeUndefined();
      expect(ms).toBeLessThan(TIMEOUT * 5);
      expect(userStore.redisStats().timeouts).toBe(1);
    } finally {
      server.resume();
      await userStore.close();
      await client.quit();
    }
  });
});

describe('RedisStore fail-open: decorated methods keep working', () => {
  let server: RedisServer;

  beforeEach(async () => {
    server = await startRedisServer();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('runs the method and returns its value while Redis is down; caches again once it is back', async () => {
    const store = new RedisStore({
      url: server.url,
      prefix: uniquePrefix('engine'),
      timeout: TIMEOUT,
      retryInterval: 50,
    });
    let calls = 0;
    class Catalog {
      @AsyncTTL({ ttl: '1m', store })
      async price(id: number): Promise<{ id: number; cents: bigint; at: Date }> {
        calls++;
        return { id, cents: BigInt(id) * 100n, at: new Date(0) };
      }
    }
    const catalog = new Catalog();
    try {
      expect(await store.ready()).toBe(true);
      expect(await catalog.price(1)).toEqual({ id: 1, cents: 100n, at: new Date(0) });
      await eventually(async () => (await store.namespace('Catalog.price').get(1)) !== undefined);
      expect(await catalog.price(1)).toEqual({ id: 1, cents: 100n, at: new Date(0) });
      expect(calls).toBe(1);

      await server.stop();
      await eventually(() => !store.redisStats().available);
      const down = await timed(async () => [await catalog.price(2), await catalog.price(3)]);
      expect(down.result).toEqual([
        { id: 2, cents: 200n, at: new Date(0) },
        { id: 3, cents: 300n, at: new Date(0) },
      ]);
      expect(down.ms).toBeLessThan(TIMEOUT);
      expect(calls).toBe(3);
      // The rejected writes are counted; nothing was cached, so the method runs again.
      await eventually(() => cacheStats(Catalog.prototype.price).storeErrors >= 2);
      expect(await catalog.price(2)).toEqual({ id: 2, cents: 200n, at: new Date(0) });
      expect(calls).toBe(4);

      await server.restart();
      expect(await store.ready(5000)).toBe(true);
      await catalog.price(5);
      await eventually(async () => (await store.namespace('Catalog.price').get(5)) !== undefined);
      await catalog.price(5);
      expect(calls).toBe(5);
    } finally {
      await store.close();
    }
  });

  it('returns values it cannot store, uncached, and counts the failed write', async () => {
    const store = new RedisStore({ url: server.url, prefix: uniquePrefix('unstorable'), timeout: TIMEOUT });
    const errors: RedisStoreError[] = [];
    store.on('error', (error) => errors.push(error));
    let calls = 0;
    class Widgets {
      @AsyncTTL({ ttl: '1m', store })
      async handler(name: string): Promise<{ name: string; run: () => string }> {
        calls++;
        return { name, run: () => name };
      }
    }
    const widgets = new Widgets();
    try {
      expect(await store.ready()).toBe(true);
      expect((await widgets.handler('a')).run()).toBe('a');
      await eventually(() => cacheStats(Widgets.prototype.handler).storeErrors === 1);
      expect((await widgets.handler('a')).run()).toBe('a');
      expect(calls).toBe(2);
      await eventually(() => cacheStats(Widgets.prototype.handler).storeErrors === 2);
      expect(errors.map((e) => e.code)).toEqual(['E_UNSERIALIZABLE', 'E_UNSERIALIZABLE']);
      expect(errors[0]?.message).toMatch(/a function \(run\) at value\.run/);
      expect(store.redisStats().unserializable).toBe(2);
    } finally {
      await store.close();
    }
  });
});
