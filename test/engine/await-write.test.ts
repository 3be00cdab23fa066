/**
 * Read-your-writes in the engine: a call that loads a value resolves once its
 * write to an asynchronous store (Redis, tiered) settled, unless the method or
 * cache opts into background writes with `awaitWrite: false`. The store here
 * holds every write until the test lets it land (or fail), so the order of
 * "call resolved" and "write landed" is observed, not timed.
 */
import { describe, expect, it } from '@jest/globals';
import { AsyncTTL, Cache, cacheStats, MemoryStore } from '../../lib/index.js';
import type { CacheStore, NamespaceOptions, StoreEntry, StoreSetOptions } from '../../lib/index.js';
import type { FullStore } from '../../lib/stores/contract.js';
import type { CacheErrorEvent } from '../../lib/util/events.js';
import type { StoreKey } from '../../lib/keys/keys.js';
import { deferred, flush, type Deferred } from '../helpers/deferred.js';

/** How the next write of a {@link HeldStore} ends. */
type WriteOutcome = 'land' | 'reject' | 'throw';

/** The writes a {@link HeldStore} and its namespaces hold, in the order they were issued. */
class Writes {
  readonly pending: { readonly key: StoreKey; readonly gate: Deferred<WriteOutcome> }[] = [];
  /** Writes issued, landed or not. */
  issued = 0;

  /** Lets the oldest held write end as `outcome`. */
  release(outcome: WriteOutcome = 'land'): void {
    const write = this.pending.shift();
    if (write === undefined) throw new Error('no write is held');
    write.gate.resolve(outcome);
  }
}

/**
 * An asynchronous store (no `sync`, so the engine takes the path Redis and
 * tiered stores take) over a memory namespace, whose writes wait for
 * {@link Writes.release}.
 */
class HeldStore implements CacheStore {
  readonly kind = 'held';
  readonly sync = undefined;

  constructor(
    readonly inner: FullStore = new MemoryStore(),
    readonly writes = new Writes(),
  ) {}

  get name(): string {
    return this.inner.name;
  }

  set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void> {
    this.writes.issued++;
    const gate = deferred<WriteOutcome>();
    this.writes.pending.push({ key, gate });
    return gate.promise.then((outcome) => {
      if (outcome === 'reject') throw new Error('write refused');
      if (outcome === 'throw') throw new TypeError('write threw');
      return this.inner.set(key, value, options);
    });
  }
  get(key: StoreKey): Promise<StoreEntry | undefined> {
    return this.inner.get(key);
  }
  getFailSafe(key: StoreKey): Promise<StoreEntry | undefined> {
    return this.inner.getFailSafe(key);
  }
  delete(key: StoreKey): Promise<boolean> {
    return this.inner.delete(key);
  }
  clear(): Promise<void> {
    return this.inner.clear();
  }
  has(key: StoreKey): Promise<boolean> {
    return this.inner.has(key);
  }
  getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    return this.inner.getMany(keys);
  }
  setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    return this.inner.setMany(entries, options);
  }
  setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    return this.inner.setIfNotExists(key, value, options);
  }
  expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    return this.inner.expireIn(key, ttl);
  }
  namespace(name: string, options?: NamespaceOptions): CacheStore {
    return new HeldStore(this.inner.namespace(name, options), this.writes);
  }
  stats(): { size: number; evictions: number } {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A store whose `set` throws synchronously instead of returning a promise. */
class ThrowingSetStore extends HeldStore {
  override set(): Promise<void> {
    throw new Error('set threw synchronously');
  }
  override namespace(name: string, options?: NamespaceOptions): CacheStore {
    return new ThrowingSetStore(this.inner.namespace(name, options), this.writes);
  }
}

/** Whether `promise` has settled, read after the microtasks queued so far ran. */
function tracked<T>(promise: Promise<T>): { readonly settled: () => boolean; readonly promise: Promise<T> } {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  return { settled: () => done, promise: watched };
}

describe('awaitWrite (default true): a call that loads resolves after its write', () => {
  it('decorated: the call and the callers that joined it resolve together, once the store acknowledged the write', async () => {
    const store = new HeldStore();
    let loads = 0;
    class Prices {
      @AsyncTTL({ ttl: '1m', store })
      async price(id: number): Promise<number> {
        loads++;
        return id * 100;
      }
    }
    const prices = new Prices();
    const first = tracked(prices.price(1));
    await flush();
    expect(store.writes.pending.map((w) => w.key)).toEqual([1]);
    const joined = tracked(prices.price(1));
    await flush();
    expect([first.settled(), joined.settled()]).toEqual([false, false]);
    expect(await store.has(1)).toBe(false);

    store.writes.release('land');
    await flush();
    expect([first.settled(), joined.settled()]).toEqual([true, true]);
    expect([await first.promise, await joined.promise]).toEqual([100, 100]);
    expect(loads).toBe(1);
    // Released with the write: the next call reads the store and is a hit, not a join.
    expect(await prices.price(1)).toBe(100);
    expect(cacheStats(Prices.prototype.price)).toMatchObject({ hits: 1, misses: 1, inflightJoins: 1, storeErrors: 0 });
  });

  it('Cache.getOrSet, getOrSetMany and warmup resolve after their writes', async () => {
    const store = new HeldStore();
    const cache = new Cache<number>({ store });

    const one = tracked(cache.getOrSet('a', async () => 1));
    await flush();
    expect(one.settled()).toBe(false);
    store.writes.release();
    expect(await one.promise).toBe(1);

    const many = tracked(cache.getOrSetMany(['b', 'c'], async (keys) => keys.map((k) => k.charCodeAt(0))));
    await flush();
    expect(store.writes.pending).toHaveLength(2);
    store.writes.release();
    await flush();
    expect(many.settled()).toBe(false); // 'c' is still being written
    store.writes.release();
    expect(await many.promise).toEqual([98, 99]);

    const warm = tracked(cache.warmup({ d: async () => 4 }));
    await flush();
    expect(warm.settled()).toBe(false);
    store.writes.release();
    await warm.promise;
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual(
      new Map([
        ['a', 1],
        ['b', 98],
        ['c', 99],
        ['d', 4],
      ]),
    );
  });

  it('a write that fails still resolves the call and its joiners with the value, counted and reported', async () => {
    const store = new HeldStore();
    const cache = new Cache<string>({ store });
    const errors: CacheErrorEvent[] = [];
    cache.events.on('error', (event) => errors.push(event));
    let loads = 0;
    const load = async (): Promise<string> => `v${++loads}`;

    const first = cache.getOrSet('k', load);
    await flush();
    const joined = cache.getOrSet('k', load);
    store.writes.release('reject');
    expect([await first, await joined]).toEqual(['v1', 'v1']);
    expect(cache.stats()).toMatchObject({ storeErrors: 1, misses: 1, inflightJoins: 1 });
    expect(errors.map((e) => [e.operation, e.key, (e.error as Error).message])).toEqual([
      ['set', 'k', 'write refused'],
    ]);
    // Nothing was stored: the next call loads again.
    const again = cache.getOrSet('k', load);
    await flush();
    store.writes.release('land');
    expect(await again).toBe('v2');
    expect(loads).toBe(2);
  });

  it('a store whose set throws synchronously: the call still gets its value, the error is counted', async () => {
    for (const awaitWrite of [true, false]) {
      const cache = new Cache<string>({ store: new ThrowingSetStore(), awaitWrite });
      expect(await cache.getOrSet('k', async () => 'v')).toBe('v');
      await flush();
      expect(cache.stats().storeErrors).toBe(1);
    }
  });
});

describe('awaitWrite: false: the write goes on in the background', () => {
  it('decorated: a held-up write does not hold up the call; callers arriving before it lands join the load', async () => {
    const store = new HeldStore();
    let loads = 0;
    class Feed {
      @AsyncTTL({ ttl: '1m', store, awaitWrite: false })
      async trending(page: number): Promise<string> {
        loads++;
        return `page ${page}`;
      }
    }
    const feed = new Feed();
    expect(await feed.trending(1)).toBe('page 1');
    expect(store.writes.pending.map((w) => w.key)).toEqual([1]); // still held
    expect(await feed.trending(1)).toBe('page 1'); // joined the load whose write is in flight
    expect(loads).toBe(1);
    store.writes.release();
    await flush();
    expect(await feed.trending(1)).toBe('page 1'); // a hit
    expect(loads).toBe(1);
    expect(cacheStats(Feed.prototype.trending)).toMatchObject({ hits: 1, misses: 1, inflightJoins: 1 });
  });

  it('a background write that fails is counted and reported after the call resolved', async () => {
    const store = new HeldStore();
    const cache = new Cache<string>({ store, awaitWrite: false });
    const errors: CacheErrorEvent[] = [];
    cache.events.on('error', (event) => errors.push(event));
    expect(await cache.getOrSet('k', async () => 'v')).toBe('v');
    expect(cache.stats().storeErrors).toBe(0);
    store.writes.release('reject');
    await flush();
    expect(cache.stats().storeErrors).toBe(1);
    expect(errors.map((e) => e.operation)).toEqual(['set']);
  });

  it('scopes inherit the cache setting and may override it', async () => {
    const store = new HeldStore();
    const cache = new Cache<number>({ store, awaitWrite: false });
    const inherited = cache.scope('inherited');
    const awaited = cache.scope('awaited', { awaitWrite: true });

    expect(await inherited.getOrSet('k', async () => 1)).toBe(1); // resolves with its write held
    store.writes.release();

    const call = tracked(awaited.getOrSet('k', async () => 2));
    await flush();
    expect(call.settled()).toBe(false);
    store.writes.release();
    expect(await call.promise).toBe(2);

    const background = new Cache<number>({ store }).scope('background', { awaitWrite: false });
    expect(await background.getOrSet('k', async () => 3)).toBe(3);
    store.writes.release();
    expect(store.writes.issued).toBe(3);
  });
});

describe('awaitWrite: validation', () => {
  it('is a TypeError naming the method or cache and the option', () => {
    const define = (value: unknown) => () => {
      class Svc {
        @AsyncTTL({ awaitWrite: value as boolean })
        async get(id: number): Promise<number> {
          return id;
        }
      }
      return Svc;
    };
    expect(define('no')).toThrow(TypeError);
    expect(define('no')).toThrow('@AsyncTTL on Svc.get: option "awaitWrite" must be a boolean; got "no".');
    expect(define(0)).toThrow(/option "awaitWrite" must be a boolean; got 0/);
    expect(define(false)).not.toThrow();
    expect(() => new Cache({ awaitWrite: 'false' as unknown as boolean })).toThrow(
      'new Cache(): option "awaitWrite" must be a boolean; got "false".',
    );
    expect(() => new Cache().scope('s', { awaitWrite: null as unknown as boolean })).toThrow(
      'Cache(cache).scope("s"): option "awaitWrite" must be a boolean; got null.',
    );
  });
});
