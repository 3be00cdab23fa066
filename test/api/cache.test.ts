import { describe, expect, it, jest } from '@jest/globals';
import {
  AsyncLRU,
  Cache,
  cacheEvents,
  cacheStats,
  createBatchLoader,
  createStore,
  MemoryStore,
  NullStore,
  type KeyEvent,
} from '../../lib/index.js';
import { deferred, FakeClock, flush } from '../helpers/deferred.js';

interface User {
  id: string;
  name: string;
}

describe('seed 000 (async_hybrid_cache): cache scopes tutorial', () => {
  function scopedCache(clock = new FakeClock()) {
    const store = new MemoryStore({ clock });
    const cache = new Cache({ store, ttl: '60s', failSafe: '300s', maxSize: 1_000 });
    const users = cache.scope('users', { ttl: '30s', maxSize: 500 });
    const products = cache.scope('products', { ttl: '120s', maxSize: 2_000 });
    return { clock, store, cache, users, products };
  }

  it('create scoped caches: scopes inherit omitted options (fail-safe) and keep their own TTL', async () => {
    const { clock, users, products } = scopedCache();
    let fail = false;
    const load = async (): Promise<User> => {
      if (fail) throw new Error('db down');
      return { id: '123', name: 'Peter' };
    };
    await users.getOrSet('user:123', load);
    await products.set('p', { id: 'p', name: 'Notebook' });
    clock.advance(31_000); // users' 30s TTL passed; products' 120s did not
    expect(await products.get('p')).toEqual({ id: 'p', name: 'Notebook' });
    expect(await users.get('user:123')).toBeUndefined();
    fail = true; // inherited failSafe (300s) serves the expired user
    expect(await users.getOrSet('user:123', load)).toEqual({ id: '123', name: 'Peter' });
    expect(users.stats().failSafeServed).toBe(1);
  });

  it('set and get values manually; the same key in another scope does not collide', async () => {
    const { users, products } = scopedCache();
    await users.set('user:123', { id: '123', name: 'Peter' });
    await products.set('user:123', { id: 'user:123', name: 'Notebook' });
    expect(await users.get('user:123')).toEqual({ id: '123', name: 'Peter' });
    expect(await products.get('user:123')).toEqual({ id: 'user:123', name: 'Notebook' });
  });

  it('compute missing values with getOrSet: the factory runs on a miss only', async () => {
    const { users } = scopedCache();
    let calls = 0;
    const loadUserFromDatabase = async (userId: string): Promise<User> => {
      calls++;
      return { id: userId, name: 'Peter' };
    };
    expect(await users.getOrSet('user:123', () => loadUserFromDatabase('123'))).toEqual({ id: '123', name: 'Peter' });
    await users.getOrSet('user:123', () => loadUserFromDatabase('123'));
    expect(calls).toBe(1);
  });

  it('remove or clear scoped data: clear one scope without clearing the others', async () => {
    const { users, products } = scopedCache();
    await users.set('user:123', { id: '123', name: 'Peter' });
    await users.set('user:456', { id: '456', name: 'Ann' });
    await products.set('p', { id: 'p', name: 'Notebook' });
    expect(await users.delete('user:123')).toBe(true);
    expect(await users.has('user:123')).toBe(false);
    await users.clear();
    expect(await users.has('user:456')).toBe(false);
    expect(await products.has('p')).toBe(true);
  });

  it('scope LRU limits apply per scope', async () => {
    const store = new MemoryStore();
    const cache = new Cache({ store });
    const small = cache.scope('small', { maxSize: 2 });
    const big = cache.scope('big', { maxSize: 100 });
    for (const k of ['a', 'b', 'c']) {
      await small.set(k, 1);
      await big.set(k, 1);
    }
    expect(await small.has('a')).toBe(false);
    expect(await big.has('a')).toBe(true);
    expect(small.stats()).toMatchObject({ size: 2, evictions: 1 });
  });

  it('use function scopes: each decorated method has its own LRU bucket', async () => {
    const store = new MemoryStore();
    class Svc {
      @AsyncLRU({ maxSize: 2, store })
      async a(id: number): Promise<number> {
        return id;
      }
      @AsyncLRU({ maxSize: 2, store })
      async b(id: number): Promise<number> {
        return id;
      }
    }
    const svc = new Svc();
    for (const id of [1, 2, 3]) await svc.a(id);
    await svc.b(1);
    expect(cacheStats(svc.a)).toMatchObject({ size: 2, evictions: 1 });
    expect(cacheStats(svc.b)).toMatchObject({ size: 1, evictions: 0 });
  });

  it('an explicit scope lets several decorated methods share one LRU bucket, with distinct keys', async () => {
    const store = new MemoryStore();
    const cache = new Cache({ store });
    const users = cache.scope('users', { maxSize: 3 });
    class Accounts {
      @AsyncLRU({ scope: 'users', store })
      async getUser(userId: string): Promise<string> {
        return `user ${userId}`;
      }
      @AsyncLRU({ scope: users })
      async getUserSettings(userId: string): Promise<string> {
        return `settings ${userId}`;
      }
    }
    const accounts = new Accounts();
    expect(await accounts.getUser('1')).toBe('user 1');
    expect(await accounts.getUserSettings('1')).toBe('settings 1'); // same argument, no collision
    await users.set('1', 'manual'); // the manual API's key '1' does not collide either
    expect(await accounts.getUser('1')).toBe('user 1');
    expect(users.stats().size).toBe(3);
    await accounts.getUser('2'); // the shared bucket's limit (3) applies across both methods
    expect(users.stats()).toMatchObject({ size: 3, evictions: 1 });
    await users.clear();
    expect(cacheStats(accounts.getUser).size).toBe(0);
  });
});

describe('seed 001 (caches): backends page', () => {
  it('dummy cache: null:// caches nothing but still checks values are storable', async () => {
    const cache = new Cache({ store: 'null://' });
    await cache.set('test', 'Ok!');
    expect(await cache.get('test')).toBeUndefined();
    await expect(cache.set('fn', (() => 1) as unknown)).rejects.toThrow(/NullStore: the value cannot be stored/);
    expect(new NullStore().kind).toBe('null');
    await cache.close();
  });

  it('local memory cache with versions and time to live, from a URL', async () => {
    const v1 = new Cache({ store: createStore('memory://?max=100&ttl=5m'), version: 1 });
    await v1.set('k', 'old');
    expect(await v1.get('k')).toBe('old');
    const v2 = new Cache({ store: v1.store, version: 2 }); // bumping the version: old entries unreachable
    expect(await v2.get('k')).toBeUndefined();
  });

  it('multiple instances: caches with different prefixes on one store never see each other', async () => {
    const store = new MemoryStore();
    const defaultCache = new Cache({ store, prefix: 'default' });
    const userTracker = new Cache({ store, prefix: 'users' });
    await defaultCache.set('k', 1);
    expect(await userTracker.get('k')).toBeUndefined();
    await userTracker.clear();
    expect(await defaultCache.get('k')).toBe(1);
  });

  it('setting options: code wins over the URL (the URL value is discarded)', async () => {
    const clock = new FakeClock();
    const store = createStore('memory://?ttl=600', { ttl: 50, clock });
    const cache = new Cache({ store });
    await cache.set('k', 1);
    clock.advance(51);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('connection: connect/close, Cache.use as a context manager, and await using', async () => {
    let closed = 0;
    const store = new MemoryStore();
    const closing = Object.assign(store, {
      close: () => {
        closed++;
        return Promise.resolve();
      },
    });
    // A store passed in is left open for its owner...
    const borrowed = new Cache({ store: closing });
    await borrowed.connect();
    await borrowed.close();
    expect(closed).toBe(0);
    // ...one the cache created is closed, by use() and by await using.
    const seen = await Cache.use({ store: 'memory://' }, async (cache) => {
      await cache.set('test', 'Ok!');
      return cache.get('test');
    });
    expect(seen).toBe('Ok!');
    let disposed: Cache | undefined;
    {
      await using cache = new Cache({ store: 'memory://' });
      disposed = cache;
      await cache.set('a', 1);
    }
    await expect(disposed.close()).resolves.toBeUndefined(); // idempotent
  });

  it('default time to live: entries never expire unless a ttl is set', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }) });
    await cache.set('forever', 1);
    await cache.set('short', 2, { ttl: '1s' });
    clock.advance(10 * 24 * 3_600_000);
    expect(await cache.get('forever')).toBe(1);
    expect(await cache.get('short')).toBeUndefined();
  });
});

describe('seed 002 (async-cache): user guide features', () => {
  it('thundering herd protection: 100 concurrent getOrSet calls, 1 loader call', async () => {
    const cache = new Cache();
    let calls = 0;
    const gate = deferred<string>();
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const all = Array.from({ length: 100 }, () => cache.getOrSet('hot_key', loader));
    await flush();
    gate.resolve('value');
    expect(new Set(await Promise.all(all))).toEqual(new Set(['value']));
    expect(calls).toBe(1);
  });

  it('dataloader-style batching: 50 concurrent single-key misses become one loadMany call', async () => {
    const calls: number[][] = [];
    const loader = createBatchLoader({
      loadMany: async (ids: number[]) => {
        calls.push(ids);
        return ids.map((id) => ({ id }));
      },
      window: 5,
    });
    class Users {
      @AsyncLRU()
      async getUser(id: number): Promise<{ id: number }> {
        return loader.load(id);
      }
    }
    const users = new Users();
    const ids = Array.from({ length: 50 }, (_, i) => i + 1);
    const results = await Promise.all(ids.map((id) => users.getUser(id)));
    expect(results.map((r) => r.id)).toEqual(ids);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(ids);
    await Promise.all(ids.map((id) => users.getUser(id))); // all cached now
    expect(calls).toHaveLength(1);
  });

  it('batching: an error for one key fails only that key', async () => {
    const loader = createBatchLoader({
      loadMany: async (ids: number[]) => ids.map((id) => (id === 2 ? new Error(`no user ${id}`) : `user${id}`)),
      window: 0,
    });
    const [a, b, c] = await Promise.allSettled([loader.load(1), loader.load(2), loader.load(3)]);
    expect(a).toEqual({ status: 'fulfilled', value: 'user1' });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('no user 2') });
    expect(c).toEqual({ status: 'fulfilled', value: 'user3' });
  });

  it('batching: a Map result missing a key fails that key; maxBatch splits batches', async () => {
    const calls: string[][] = [];
    const loader = createBatchLoader({
      loadMany: async (keys: string[]) => {
        calls.push(keys);
        return new Map(keys.filter((k) => k !== 'gone').map((k) => [k, k.toUpperCase()]));
      },
      maxBatch: 2,
      window: 0,
    });
    const settled = await Promise.allSettled(['a', 'gone', 'c'].map((k) => loader.load(k)));
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'A' });
    expect(settled[1]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('without key "gone"') },
    });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 'C' });
    expect(calls).toEqual([['a', 'gone'], ['c']]);
  });

  it('getOrSetMany loads only the missing keys, in one call, and caches them', async () => {
    const cache = new Cache();
    await cache.set(2, 'cached-2');
    const calls: number[][] = [];
    const loadMany = async (ids: number[]) => {
      calls.push(ids);
      return ids.map((id) => `loaded-${id}`);
    };
    expect(await cache.getOrSetMany([1, 2, 3], loadMany)).toEqual(['loaded-1', 'cached-2', 'loaded-3']);
    expect(calls).toEqual([[1, 3]]);
    expect(await cache.getOrSetMany([1, 2, 3], loadMany)).toEqual(['loaded-1', 'cached-2', 'loaded-3']);
    expect(calls).toHaveLength(1);
  });

  it('cache warmup preloads hot keys; already cached keys are not reloaded', async () => {
    const cache = new Cache();
    let flags = 0;
    await cache.set('config:app', { cached: true });
    await cache.warmup({
      'config:app': async () => ({ cached: false }),
      feature_flags: async () => ({ flags: ++flags }),
    });
    expect(await cache.get('config:app')).toEqual({ cached: true });
    expect(await cache.get('feature_flags')).toEqual({ flags: 1 });
    await expect(cache.warmup({ bad: () => Promise.reject(new Error('boom')) })).rejects.toThrow('boom');
  });

  it('metrics & observability: hits, misses, size, hit rate per cache, scope and method', async () => {
    const cache = new Cache();
    const scoped = cache.scope('s');
    await cache.getOrSet('a', async () => 1);
    await cache.getOrSet('a', async () => 1);
    await cache.get('missing');
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, size: 1 });
    expect(cache.stats().hitRate).toBeCloseTo(1 / 3);
    expect(scoped.stats()).toMatchObject({ hits: 0, misses: 0, size: 0 });
  });

  it('events: hit, miss, set, invalidate from a cache, and from decorated methods', async () => {
    const cache = new Cache();
    const seen: string[] = [];
    const offs = (['hit', 'miss', 'set', 'invalidate'] as const).map((event) =>
      cache.events.on(event, (e) => seen.push(`${event}:${'key' in e ? String(e.key) : ''}`)),
    );
    await cache.getOrSet('k', async () => 1);
    await cache.getOrSet('k', async () => 1);
    await cache.set('j', 2);
    await cache.delete('k');
    expect(seen).toEqual(['miss:k', 'set:k', 'hit:k', 'set:j', 'invalidate:k']);
    offs.forEach((off) => off());
    await cache.get('k');
    expect(seen).toHaveLength(5);

    const methodEvents: KeyEvent[] = [];
    const off = cacheEvents.on('miss', (e) => methodEvents.push(e));
    class Evented {
      @AsyncLRU()
      async get(id: number): Promise<number> {
        return id;
      }
    }
    await new Evented().get(5);
    off();
    expect(methodEvents).toEqual([{ source: 'Evented.get', key: 5 }]);
  });

  it('evict events name the evicted key, for caches and decorated methods', async () => {
    const cache = new Cache({ maxSize: 2 });
    const evicted: string[] = [];
    const off = cache.events.on('evict', (e) => evicted.push(String(e.key)));
    for (const k of ['a', 'b', 'c']) await cache.set(k, 1);
    off();
    expect(evicted).toEqual(['a']);

    const methodEvictions: string[] = [];
    const stop = cacheEvents.on('evict', (e) => methodEvictions.push(`${e.source}:${String(e.key)}`));
    class Small {
      @AsyncLRU({ maxSize: 1 })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const small = new Small();
    await small.get(1);
    await small.get(2);
    stop();
    expect(methodEvictions).toEqual(['Small.get:1']);
  });

  it('a throwing event listener never breaks the call; the error is reported as a warning', async () => {
    const cache = new Cache();
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const off = cache.events.on('miss', () => {
      throw new Error('listener bug');
    });
    try {
      expect(await cache.getOrSet('k', async () => 'ok')).toBe('ok');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener bug'), { code: 'MEMOKIT_LISTENER_ERROR' });
    } finally {
      off();
      warn.mockRestore();
    }
  });
});

describe('seed 004 (cachetory): get_many / set_many / expire_in / if_not_exists', () => {
  it('get_many returns existing values, missing keys omitted', async () => {
    const cache = new Cache();
    await cache.set('key', 42);
    expect(await cache.getMany(['key', 'missing'])).toEqual(new Map([['key', 42]]));
  });

  it('set_many stores every pair, from an object or an iterable', async () => {
    const cache = new Cache();
    await cache.setMany({ a: 1, b: 2 });
    await cache.setMany(new Map<string, number>([['c', 3]]));
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    );
  });

  it('expire_in sets a new time to live; undefined makes the key eternal', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1m' });
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.expireIn('a', '10s')).toBe(true);
    expect(await cache.expireIn('b', undefined)).toBe(true);
    expect(await cache.expireIn('missing', '10s')).toBe(false);
    clock.advance(11_000);
    expect(await cache.get('a')).toBeUndefined();
    clock.advance(3_600_000);
    expect(await cache.get('b')).toBe(2);
  });

  it('if_not_exists writes only when the key is absent', async () => {
    const cache = new Cache();
    expect(await cache.setIfNotExists('lock', 'first')).toBe(true);
    expect(await cache.setIfNotExists('lock', 'second')).toBe(false);
    expect(await cache.get('lock')).toBe('first');
  });
});

describe('Cache: correctness details', () => {
  it('a set during a getOrSet load wins over the load', async () => {
    const cache = new Cache();
    const gate = deferred<string>();
    const loading = cache.getOrSet('k', () => gate.promise);
    await flush();
    await cache.set('k', 'written');
    gate.resolve('loaded');
    expect(await loading).toBe('loaded');
    expect(await cache.get('k')).toBe('written');
  });

  it('a delete during a getOrSet load keeps the loaded value out', async () => {
    const cache = new Cache();
    const gate = deferred<string>();
    const loading = cache.getOrSet('k', () => gate.promise);
    await flush();
    await cache.delete('k');
    gate.resolve('loaded');
    await loading;
    expect(await cache.has('k')).toBe(false);
  });

  it('rejections are shared and never cached', async () => {
    const cache = new Cache();
    await expect(cache.getOrSet('k', () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    expect(await cache.getOrSet('k', async () => 'ok')).toBe('ok');
  });

  it('long keys are hashed and numbers and strings do not collide', async () => {
    const cache = new Cache();
    await cache.set('x'.repeat(1_000), 'long');
    await cache.set(1, 'number');
    await cache.set('1', 'string');
    expect(await cache.get('x'.repeat(1_000))).toBe('long');
    expect(await cache.get('x'.repeat(999))).toBeUndefined();
    expect(await cache.get(1)).toBe('number');
    expect(await cache.get('1')).toBe('string');
  });

  it('rejects bad options and keys with messages naming them', async () => {
    expect(() => new Cache({ ttl: 0 })).toThrow(/new Cache\(\): option "ttl" must be a positive duration/);
    expect(() => new Cache({ prefix: '' })).toThrow(/option "prefix" must be a non-empty string/);
    expect(() => new Cache({ maxsize: 1 } as never)).toThrow(/unknown option "maxsize"/);
    expect(() => new Cache({ store: 'ftp://x' })).toThrow(/unknown scheme "ftp:\/\/"/);
    expect(() => new Cache().scope('')).toThrow(/option "name" must be a non-empty string/);
    await expect(new Cache().get({} as never)).rejects.toThrow(/keys must be strings or numbers/);
  });
});

describe('a scope bucket shared by the manual API and decorated methods: the first stated limit counts', () => {
  /** The error a call (or a scope() call) throws or rejects with. */
  const failureOf = (run: () => unknown): Promise<Error> =>
    Promise.resolve()
      .then(run)
      .then(
        () => {
          throw new Error('expected a failure');
        },
        (error: unknown) => error as Error,
      );

  function usersClass(store: MemoryStore, maxSize: number) {
    class Users {
      loads = 0;
      @AsyncLRU({ scope: 'users', store, maxSize })
      async find(id: string): Promise<string> {
        this.loads++;
        return `user ${id}`;
      }
    }
    return new Users();
  }

  it('manual first: a scope created without maxSize takes the maxSize a decorated method states, trimming its entries', async () => {
    const store = new MemoryStore();
    const scope = new Cache({ store }).scope('users');
    for (const key of ['m1', 'm2', 'm3', 'm4']) await scope.set(key, key);
    const users = usersClass(store, 2);
    expect(await users.find('a')).toBe('user a'); // threw "already exists with maxSize 1000" before
    expect(scope.store.stats?.()).toMatchObject({ maxSize: 2, size: 2 });
    // Trimmed to the new limit, least recent first: m1 and m2 by the limit, m3 by the call's entry.
    expect([await scope.get('m1'), await scope.get('m2'), await scope.get('m3')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(await scope.get('m4')).toBe('m4');
    await users.find('b');
    await users.find('c');
    await users.find('a'); // evicted by b and c: loads again
    expect(users.loads).toBe(4);
    expect(scope.store.stats?.()).toMatchObject({ maxSize: 2, size: 2 });
  });

  it("decorator first: a cache's inherited maxSize does not conflict with the method's stated one", async () => {
    const store = new MemoryStore();
    const users = usersClass(store, 2);
    await users.find('a');
    const scope = new Cache({ store, maxSize: 50 }).scope('users'); // threw "already exists with maxSize 2" before
    expect(scope.store.stats?.()).toMatchObject({ maxSize: 2, size: 1 });
    await scope.set('m1', 1);
    await scope.set('m2', 2);
    expect(scope.store.stats?.()).toMatchObject({ maxSize: 2, size: 2, evictions: 1 });
  });

  it('two different stated limits are an error naming both users and the option, in either order', async () => {
    const store = new MemoryStore();
    new Cache({ store }).scope('users', { maxSize: 5 });
    const late = await failureOf(() => usersClass(store, 2).find('a'));
    expect(late).toBeInstanceOf(TypeError);
    expect(late.message).toBe(
      'Users.find asks for maxSize 2 on the shared namespace "scope:users", but Cache(cache).scope("users") ' +
        'already set maxSize 5 there. A namespace has one maxSize: give both the same "maxSize" option, ' +
        'or state it on one of them only.',
    );

    const other = new MemoryStore();
    await usersClass(other, 2).find('a');
    const manual = await failureOf(() => new Cache({ store: other }).scope('users', { maxSize: 5 }));
    expect(manual).toBeInstanceOf(TypeError);
    expect(manual.message).toContain('Cache(cache).scope("users") asks for maxSize 5');
    expect(manual.message).toContain('but Users.find already set maxSize 2');
    // The same limit stated twice is no conflict.
    expect(new Cache({ store: other }).scope('users', { maxSize: 2 }).store.stats?.().maxSize).toBe(2);
  });

  it("a scope's default ttl: inherited ones do not fix it, the first stated one applies, two stated ones conflict", async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    const first = new Cache({ store, ttl: '60s' }).scope('users'); // inherits 60s: not stated
    const second = new Cache({ store }).scope('users', { ttl: '30s' }); // threw "already exists with ttl 60000" before
    expect(second.store).toBe(first.store);
    await first.store.set('raw', 1); // a write without a TTL takes the bucket's default
    clock.advance(30_001);
    expect(await first.store.get('raw')).toBeUndefined();
    const conflict = await failureOf(() => new Cache({ store }).scope('users', { ttl: '45s' }));
    expect(conflict.message).toContain('Cache(cache).scope("users") asks for ttl 45000');
    expect(conflict.message).toContain('Cache(cache).scope("users") already set ttl 30000');
  });
});
