/**
 * Read-your-writes across replicas on Redis: two RedisStore instances on one
 * Redis with one prefix (their own connections) stand for two replicas.
 * Replica A reaches Redis over a link that delays what it sends by a few
 * milliseconds (a loopback proxy), B directly: a write A only sent, not yet
 * acknowledged, would arrive after B's read. When replica A's call resolves,
 * its value is in Redis, so replica B asked at once is a hit. A write that
 * times out costs the call the store's timeout once and never its value;
 * `awaitWrite: false` does not wait for the write at all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { MethodCache } from '../../../lib/engine/index.js';
import { AsyncTTL, Cache, cacheStats } from '../../../lib/index.js';
import { registry } from '../../../lib/api/registry.js';
import { RedisStore, type RedisStoreError } from '../../../lib/stores/redis/index.js';
import { slowLink, type SlowLink } from '../../helpers/slow-link.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { connectedStore, eventually, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

const ROUNDS = 100;
/**
 * The stores' timeout in the rounds below: what they test is the order of a
 * write's acknowledgement and the other replica's read. The default 250 ms
 * deadline can pass on a loaded CI machine (a write that times out leaves B
 * to load its own value: correct, and tested below, but not this property).
 */
const ROUND_TIMEOUT_MS = 5_000;
/** What replica A's link adds to everything it sends. */
const LINK_DELAY_MS = 5;
const opened: RedisStore[] = [];
const links: SlowLink[] = [];

/** A URL of the test Redis reached over a link {@link LINK_DELAY_MS} slower. */
async function slowUrl(): Promise<string> {
  const link = await slowLink(testRedisUrl(), LINK_DELAY_MS);
  links.push(link);
  return link.url;
}

async function open(prefix: string, url = testRedisUrl(), timeout?: number): Promise<RedisStore> {
  const store = new RedisStore({ url, prefix, ...(timeout === undefined ? {} : { timeout, retryInterval: 50 }) });
  opened.push(store);
  if (!(await store.ready(5000))) throw new Error(`RedisStore did not connect to ${url} within 5 s`);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** Loads of one replica, by key. */
class Catalog {
  readonly loads: number[] = [];
  constructor(readonly replica: string) {}

  @AsyncTTL({ ttl: '1m' })
  async product(id: number): Promise<{ id: number; by: string }> {
    this.loads.push(id);
    return { id, by: this.replica };
  }
}

/** An instance bound to `store`, as a CacheModule binds its app's providers. */
function replica(name: string, store: RedisStore): { catalog: Catalog; engine: MethodCache } {
  const definition = registry.of(Catalog.prototype.product)!;
  const engine = definition.engines.bind(store);
  const catalog = new Catalog(name);
  definition.engines.bindInstance(catalog, engine);
  return { catalog, engine };
}

describe('read-your-writes across replicas on Redis', () => {
  it(`decorated: replica B asked right after replica A's call resolved is a hit, ${ROUNDS} times in a row`, async () => {
    const prefix = uniquePrefix('ryw');
    const storeA = await open(prefix, await slowUrl(), ROUND_TIMEOUT_MS);
    const a = replica('A', storeA);
    const b = replica('B', await open(prefix, testRedisUrl(), ROUND_TIMEOUT_MS));
    for (let id = 0; id < ROUNDS; id++) {
      expect(await a.catalog.product(id)).toEqual({ id, by: 'A' });
      // A's store figures alongside: a failure shows whether A's write failed or B's read missed it.
      expect({ read: await b.catalog.product(id), a: storeA.redisStats() }).toMatchObject({
        read: { id, by: 'A' },
        a: { timeouts: 0, failures: 0 },
      });
    }
    expect(b.catalog.loads).toEqual([]); // B never ran the method
    expect(a.catalog.loads).toHaveLength(ROUNDS);
    expect(a.engine.stats()).toMatchObject({ misses: ROUNDS, hits: 0, storeErrors: 0 });
    expect(b.engine.stats()).toMatchObject({ misses: 0, hits: ROUNDS, storeErrors: 0 });
  });

  it(`Cache.getOrSet: cache B asked right after cache A's getOrSet resolved is a hit, ${ROUNDS} times in a row`, async () => {
    const prefix = uniquePrefix('ryw-cache');
    const ca = new Cache<string>({ store: await open(prefix, await slowUrl(), ROUND_TIMEOUT_MS), ttl: '1m' });
    const cb = new Cache<string>({ store: await open(prefix, testRedisUrl(), ROUND_TIMEOUT_MS), ttl: '1m' });
    const loadedByB: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `k${i}`;
      expect(await ca.getOrSet(key, async () => `A:${key}`)).toBe(`A:${key}`);
      expect(
        await cb.getOrSet(key, async () => {
          loadedByB.push(key);
          return `B:${key}`;
        }),
      ).toBe(`A:${key}`);
    }
    expect(loadedByB).toEqual([]);
    expect(cb.stats()).toMatchObject({ hits: ROUNDS, misses: 0 });
  });

  it('stats: two awaited calls in a row are a miss and a hit, not a join', async () => {
    const store = await connectedStore({ label: 'ryw-stats' });
    opened.push(store);
    class Rates {
      @AsyncTTL({ ttl: '1m', store })
      async rate(currency: string): Promise<number> {
        return currency.length;
      }
    }
    const rates = new Rates();
    expect(await rates.rate('EUR')).toBe(3);
    expect(await rates.rate('EUR')).toBe(3);
    expect(cacheStats(Rates.prototype.rate)).toMatchObject({
      hits: 1,
      misses: 1,
      loads: 1,
      inflightJoins: 0,
      hitRate: 0.5,
    });

    const cache = new Cache<number>({ store });
    expect(await cache.getOrSet('USD', async () => 3)).toBe(3);
    expect(await cache.getOrSet('USD', async () => 4)).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, inflightJoins: 0, hitRate: 0.5 });
  });
});

describe('read-your-writes on Redis: a write that times out', () => {
  const TIMEOUT = 100;
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterEach(() => {
    server.resume();
  });

  afterAll(async () => {
    server.resume();
    await server.stop();
  });

  /** A method whose load freezes Redis after the read missed: its write gets no answer. */
  function freezingMethod(store: RedisStore, options: { awaitWrite?: boolean } = {}) {
    class Reports {
      @AsyncTTL({ ttl: '1m', store, ...options })
      async build(day: string): Promise<string> {
        server.pause();
        return `report of ${day}`;
      }
    }
    return { reports: new Reports(), method: Reports.prototype.build };
  }

  it('the call resolves with its value once the timeout passed, the failed write counted and reported', async () => {
    const store = await open(uniquePrefix('ryw-timeout'), server.url, TIMEOUT);
    const errors: RedisStoreError[] = [];
    store.on('error', (error) => errors.push(error));
    const { reports, method } = freezingMethod(store);
    const started = performance.now();
    expect(await reports.build('mon')).toBe('report of mon');
    const ms = performance.now() - started;
    // Resolved after the write's timeout, which is already counted: the call waited for the write, once.
    expect(errors.map((e) => e.code)).toEqual(['E_REDIS_TIMEOUT']);
    expect(cacheStats(method)).toMatchObject({ storeErrors: 1, misses: 1, loads: 1 });
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 5);
    expect(ms).toBeLessThan(TIMEOUT * 5);
  });

  it('awaitWrite: false: the call resolves without waiting for the frozen write, which is counted when it times out', async () => {
    const store = await open(uniquePrefix('ryw-background'), server.url, TIMEOUT);
    const { reports, method } = freezingMethod(store, { awaitWrite: false });
    expect(await reports.build('mon')).toBe('report of mon');
    // The write was sent but has not timed out yet: nothing is counted.
    expect(store.redisStats().timeouts).toBe(0);
    expect(cacheStats(method).storeErrors).toBe(0);
    await eventually(() => cacheStats(method).storeErrors === 1, 5 * TIMEOUT, 5);
    expect(store.redisStats().timeouts).toBe(1);
  });
});
