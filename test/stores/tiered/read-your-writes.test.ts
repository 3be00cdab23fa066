/**
 * Read-your-writes across replicas on the tiered store: two TieredStore
 * instances on one Redis with one prefix (each with its own connections and
 * bus) stand for two replicas. Replica A reaches Redis over a link that delays
 * what it sends by a few milliseconds (a loopback proxy), B directly: a write
 * A only sent, not yet acknowledged, would arrive after B's read. When replica
 * A's call resolves, its value is in Redis (and in A's L1), so replica B asked
 * at once reads it from Redis.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { MethodCache } from '../../../lib/engine/index.js';
import { AsyncTTL, Cache } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { registry } from '../../../lib/api/registry.js';
import { slowLink, type SlowLink } from '../../helpers/slow-link.js';
import { testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

const ROUNDS = 100;
/** What replica A's link adds to everything it sends. */
const LINK_DELAY_MS = 5;
const opened: TieredStore[] = [];
const links: SlowLink[] = [];

/** Two "processes" sharing one Redis: two tiered stores, each with its own bus instance; A's link is slower. */
async function pair(label: string): Promise<{ a: TieredStore; b: TieredStore }> {
  const prefix = uniquePrefix(label);
  const make = async (url: string): Promise<TieredStore> => {
    const store = new TieredStore({ redis: { url, prefix } });
    opened.push(store);
    if (!(await store.ready(5000))) throw new Error('tiered store did not connect');
    return store;
  };
  const link = await slowLink(testRedisUrl(), LINK_DELAY_MS);
  links.push(link);
  return { a: await make(link.url), b: await make(testRedisUrl()) };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** Loads of one replica, by key. */
class Profiles {
  readonly loads: string[] = [];
  constructor(readonly replica: string) {}

  @AsyncTTL({ ttl: '1m' })
  async profile(user: string): Promise<{ user: string; by: string }> {
    this.loads.push(user);
    return { user, by: this.replica };
  }
}

/** An instance bound to `store`, as a CacheModule binds its app's providers. */
function replica(name: string, store: TieredStore): { profiles: Profiles; engine: MethodCache } {
  const definition = registry.of(Profiles.prototype.profile)!;
  const engine = definition.engines.bind(store);
  const profiles = new Profiles(name);
  definition.engines.bindInstance(profiles, engine);
  return { profiles, engine };
}

describe('read-your-writes across replicas on the tiered store', () => {
  it(`decorated: replica B asked right after replica A's call resolved is a hit, ${ROUNDS} times in a row`, async () => {
    const { a: storeA, b: storeB } = await pair('ryw-tiered');
    const a = replica('A', storeA);
    const b = replica('B', storeB);
    for (let i = 0; i < ROUNDS; i++) {
      const user = `u${i}`;
      expect(await a.profiles.profile(user)).toEqual({ user, by: 'A' });
      expect(await b.profiles.profile(user)).toEqual({ user, by: 'A' });
    }
    expect(b.profiles.loads).toEqual([]); // B never ran the method
    expect(a.profiles.loads).toHaveLength(ROUNDS);
    expect(a.engine.stats()).toMatchObject({ misses: ROUNDS, hits: 0, storeErrors: 0 });
    expect(b.engine.stats()).toMatchObject({ misses: 0, hits: ROUNDS, storeErrors: 0 });
  });

  it(`Cache.getOrSet: cache B asked right after cache A's getOrSet resolved is a hit, ${ROUNDS} times in a row`, async () => {
    const { a, b } = await pair('ryw-tiered-cache');
    const ca = new Cache<string>({ store: a, ttl: '1m' });
    const cb = new Cache<string>({ store: b, ttl: '1m' });
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
      // A's own L1 holds it too: the write landed before A's call resolved.
      expect(ca.store.sync?.get(key)?.value).toBe(`A:${key}`);
    }
    expect(loadedByB).toEqual([]);
    expect(cb.stats()).toMatchObject({ hits: ROUNDS, misses: 0 });
  });
});
