import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { AsyncTTL, cacheStats, MemoryStore, type StoreKey } from '../../../lib/index.js';
import type { InvalidationBus } from '../../../lib/stores/tiered/bus-message.js';
import { TieredStore } from '../../../lib/tiered.js';
import { deferred, FakeClock, flush, type Deferred } from '../../helpers/deferred.js';
import { entryKeys, eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/**
 * What the tiered store says of an entry's freshness. L1 runs on an injected
 * clock (exact figures); Redis keeps its own, so Redis entries are moved into
 * their stale window with PEXPIRE. `sync.expiresIn` is L1's, for copies whose
 * L1 TTL is the entry's own (not cut to `l1Ttl`) and while the bus is up.
 */
const opened: TieredStore[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

const MINUTE = 60_000;
const WINDOW = 10 * MINUTE;
const L1_TTL = 10_000;
/** PTTL is whole milliseconds: what a figure may stray from the times measured around the calls. */
const SLACK = 5;

/** A bus whose `up` the test sets (nothing crosses it: one process). */
function switchableBus(): InvalidationBus & { up: boolean } {
  return { instanceId: 'test', up: true, publish: async () => {}, on: () => {}, close: async () => {} };
}

async function tiered(prefix: string, bus?: InvalidationBus) {
  const clock = new FakeClock();
  const store = new TieredStore({
    redis: { url: testRedisUrl(), prefix },
    l1: new MemoryStore({ clock }),
    l1Ttl: L1_TTL,
    ...(bus === undefined ? {} : { bus }),
  });
  opened.push(store);
  expect(await store.ready(5000)).toBe(true);
  return { store, clock };
}

describe('TieredStore: expiresIn', () => {
  it('sync.expiresIn: the freshness left of an L1 copy that expires with its entry', async () => {
    const { store, clock } = await tiered(uniquePrefix('tiered-exp'));
    await store.set('short', 's', { ttl: 5_000 });
    expect(store.sync.expiresIn?.('short')).toBe(5_000);
    clock.advance(2_000);
    expect(store.sync.expiresIn?.('short')).toBe(3_000);
    await store.set('at-cap', 'c', { ttl: L1_TTL });
    expect(store.sync.expiresIn?.('at-cap')).toBe(L1_TTL);
    // A namespace's default ttl is the entry's too.
    const ns = store.namespace('ns', { ttl: 4_000 });
    await ns.set('k', 'n');
    expect(ns.sync.expiresIn?.('k')).toBe(4_000);
    expect(store.sync.expiresIn?.('absent')).toBeUndefined();
    clock.advance(3_001);
    expect(store.sync.expiresIn?.('short')).toBeUndefined(); // the copy expired
  });

  it('sync.expiresIn is undefined for a copy cut to l1Ttl or an entry without expiry (L1 does not know its age)', async () => {
    const { store } = await tiered(uniquePrefix('tiered-exp-cap'));
    await store.set('long', 'l', { ttl: MINUTE });
    await store.set('forever', 'f');
    expect(store.sync.get('long')?.value).toBe('l');
    expect(store.sync.get('forever')?.value).toBe('f');
    expect(store.sync.expiresIn?.('long')).toBeUndefined();
    expect(store.sync.expiresIn?.('forever')).toBeUndefined();
    // Rewritten short: exact again; rewritten long: not any more.
    await store.set('long', 'l2', { ttl: 1_000 });
    expect(store.sync.expiresIn?.('long')).toBe(1_000);
    await store.set('long', 'l3', { ttl: MINUTE });
    expect(store.sync.expiresIn?.('long')).toBeUndefined();
    // A write to L1 alone (sync.set) is not known to expire with an entry in Redis.
    await store.set('l1-only', 'a', { ttl: 1_000 });
    store.sync.set('l1-only', 'b', { ttl: 1_000 });
    expect(store.sync.get('l1-only')?.value).toBe('b');
    expect(store.sync.expiresIn?.('l1-only')).toBeUndefined();
  });

  it('sync.expiresIn of a copy filled from Redis is the freshness Redis reported; none once it is dropped', async () => {
    const prefix = uniquePrefix('tiered-exp-fill');
    const { store: a } = await tiered(prefix);
    const { store: b } = await tiered(prefix);
    /** Reads `key` through `b` until the copy sits in b's L1 (a's notices of its writes arrive asynchronously). */
    const readIntoL1 = (key: string) =>
      eventually(async () => {
        await b.get(key);
        return b.sync.get(key) !== undefined;
      });
    const writing = performance.now();
    await a.set('short', 's', { ttl: 5_000 });
    await a.set('long', 'l', { ttl: MINUTE });
    await readIntoL1('short');
    const left = b.sync.expiresIn?.('short');
    const elapsed = performance.now() - writing;
    expect(left).toBeGreaterThan(5_000 - elapsed - SLACK);
    expect(left).toBeLessThanOrEqual(5_000);
    await readIntoL1('long');
    expect(b.sync.expiresIn?.('long')).toBeUndefined(); // cut to l1Ttl
    await b.delete('short');
    expect(b.sync.expiresIn?.('short')).toBeUndefined();
    // Read again, then dropped with the whole namespace (clear).
    await a.set('short', 's2', { ttl: 5_000 });
    await readIntoL1('short');
    expect(b.sync.expiresIn?.('short')).toBeGreaterThan(0);
    await b.clear();
    expect(b.sync.expiresIn?.('short')).toBeUndefined();
  });

  it('sync.expiresIn is undefined while the bus is down, like sync.get', async () => {
    const bus = switchableBus();
    const { store } = await tiered(uniquePrefix('tiered-exp-bus'), bus);
    await store.set('short', 's', { ttl: 5_000 });
    expect(store.sync.expiresIn?.('short')).toBe(5_000);
    bus.up = false;
    expect(store.sync.get('short')).toBeUndefined();
    expect(store.sync.expiresIn?.('short')).toBeUndefined();
    bus.up = true;
    expect(store.sync.expiresIn?.('short')).toBe(5_000);
  });

  it('getFailSafe passes the stale expiresIn of Redis through, and no read of a stale entry creates an L1 copy', async () => {
    const prefix = uniquePrefix('tiered-exp-stale');
    const { store, clock } = await tiered(prefix);
    const raw = rawClient();
    clients.push(raw);
    await store.set('k', 'v', { ttl: MINUTE, failSafe: WINDOW });
    clock.advance(L1_TTL + 1); // this process's L1 copy expired
    expect(store.sync.get('k')).toBeUndefined();
    const [key] = await entryKeys(raw, prefix);
    const moved = performance.now();
    await raw.pexpire(key!, WINDOW - 3_000); // in Redis: expired 3 s ago
    const stale = await store.getFailSafe('k');
    const read = performance.now();
    expect(stale?.value).toBe('v');
    expect(stale?.expiresIn).toBeLessThanOrEqual(-3_000 + SLACK);
    expect(stale?.expiresIn).toBeGreaterThanOrEqual(-3_000 - (read - moved) - SLACK);
    // Neither the stale read nor any read for a load (all misses) filled L1.
    expect(await store.get('k')).toBeUndefined();
    expect((await store.getForLoad('k')).entry).toBeUndefined();
    const lease = await store.getOrLease('k', 5_000);
    expect(lease.entry).toBeUndefined();
    await store.releaseLease('k', lease.lease);
    expect(await store.getFailSafe('k')).toMatchObject({ value: 'v' });
    expect(store.sync.get('k')).toBeUndefined();
    expect(store.sync.getFailSafe('k')).toBeUndefined();
    expect(store.sync.expiresIn?.('k')).toBeUndefined();
    expect(store.l1.stats().size).toBe(0);
  });

  it('refreshAhead on L1 hits: one background reload in the zone, the callers served the current value meanwhile', async () => {
    const { store, clock } = await tiered(uniquePrefix('tiered-exp-ahead'));
    const state = { loads: 0, held: [] as Deferred<string>[] };
    class Catalog {
      @AsyncTTL({ ttl: '4s', refreshAhead: 0.5, store })
      async item(id: string): Promise<string> {
        state.loads++;
        if (state.loads === 1) return `${id}:1`;
        const reload = deferred<string>();
        state.held.push(reload);
        return reload.promise;
      }
    }
    const svc = new Catalog();
    expect(await svc.item('a')).toBe('a:1');
    clock.advance(1_000); // 3 s left of 4: outside the zone (the last 2 s)
    expect(await svc.item('a')).toBe('a:1');
    await flush();
    expect(state.loads).toBe(1);
    clock.advance(1_500); // 1.5 s left: in the zone
    expect(await svc.item('a')).toBe('a:1'); // an L1 hit: the current value at once, a reload in the background
    await eventually(() => state.held.length === 1);
    // While the reload runs, more hits in the zone get the current value and start no other reload.
    for (let i = 0; i < 5; i++) expect(await svc.item('a')).toBe('a:1');
    await flush();
    expect(state.loads).toBe(2);
    state.held[0]!.resolve('a:2');
    await eventually(async () => (await svc.item('a')) === 'a:2');
    expect(state.loads).toBe(2);
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 1, misses: 1 });
    // The reloaded copy is exact again, with its full TTL: no reload until its own zone.
    clock.advance(1_999);
    expect(await svc.item('a')).toBe('a:2');
    await flush();
    expect(state.loads).toBe(2);
  });

  it("refreshAhead on L1 hits: none for a copy cut to l1Ttl (L1 does not know the entry's age)", async () => {
    const { store, clock } = await tiered(uniquePrefix('tiered-exp-ahead-cap'));
    let loads = 0;
    class Catalog {
      @AsyncTTL({ ttl: '1m', refreshAhead: 0.5, store })
      async item(id: string): Promise<string> {
        return `${id}:${++loads}`;
      }
    }
    const svc = new Catalog();
    expect(await svc.item('a')).toBe('a:1');
    // L1 holds it for 10 s of its 60, so its copy says nothing of the zone (the last 30 s): no reload from L1.
    for (let i = 0; i < 9; i++) {
      clock.advance(1_000);
      expect(await svc.item('a')).toBe('a:1');
      await new Promise((resolve) => setTimeout(resolve, 10)); // a reload, had one started, would reach Redis
    }
    expect(loads).toBe(1);
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 0 });
  });

  it('a tag invalidation keeps the marks of the copies it did not hit; the copies it hit are read again', async () => {
    const { store } = await tiered(uniquePrefix('tiered-exp-tags'));
    await store.set('tagged', 't', { ttl: 5_000, tags: ['t'] });
    await store.set('other', 'o', { ttl: 5_000, tags: ['u'] });
    await store.invalidateTags(['t']);
    expect(store.sync.get('tagged')).toBeUndefined();
    expect(store.sync.expiresIn?.('other')).toBe(5_000);
    await store.set('tagged', 't2', { ttl: 3_000, tags: ['t'] });
    expect(store.sync.expiresIn?.('tagged')).toBe(3_000);
  });

  it('remote invalidations drop the copy; the next fill marks it from what Redis reports', async () => {
    const prefix = uniquePrefix('tiered-exp-remote');
    const { store: a } = await tiered(prefix);
    const { store: b } = await tiered(prefix);
    await a.set('k', 'v', { ttl: 5_000 });
    await eventually(async () => {
      await b.get('k');
      return b.sync.expiresIn?.('k') !== undefined;
    });
    await a.set('k', 'v2', { ttl: MINUTE }); // published: b drops its copy
    await eventually(() => b.sync.get('k') === undefined);
    expect(b.sync.expiresIn?.('k')).toBeUndefined();
    expect((await b.get('k'))?.value).toBe('v2');
    expect(b.sync.get('k')?.value).toBe('v2');
    expect(b.sync.expiresIn?.('k')).toBeUndefined(); // refilled, cut to l1Ttl
  });

  it('marks of copies L1 dropped are swept: bounded under many distinct keys, the live copies still reported', async () => {
    const clock = new FakeClock();
    const l1 = new MemoryStore({ clock, max: 50 });
    const store = new TieredStore({
      redis: { url: testRedisUrl(), prefix: uniquePrefix('tiered-exp-sweep') },
      l1,
      l1Ttl: L1_TTL,
    });
    opened.push(store);
    expect(await store.ready(5000)).toBe(true);
    // A sweep asks L1 for each mark's copy: counting those asks per write measures the marks kept.
    const l1Sync = l1.sync as { expiresIn: (key: StoreKey) => number | undefined };
    const ask = l1Sync.expiresIn.bind(l1Sync);
    let asked = 0;
    l1Sync.expiresIn = (key) => {
      asked++;
      return ask(key);
    };
    let sweeps = 0;
    let mostMarks = 0;
    const keys = Array.from({ length: 2_200 }, (_, i) => `k${i}`);
    for (const key of keys) {
      asked = 0;
      await store.set(key, key, { ttl: 5_000 });
      if (asked > 0) sweeps++;
      mostMarks = Math.max(mostMarks, asked);
    }
    expect(sweeps).toBeGreaterThanOrEqual(2);
    expect(mostMarks).toBeLessThanOrEqual(1_025); // never more marks than the first sweep's threshold (L1 holds 50)
    expect(store.l1.stats().size).toBe(50);
    for (const key of keys.slice(-50)) expect(store.sync.expiresIn?.(key)).toBe(5_000);
    for (const key of keys.slice(0, 100)) expect(store.sync.expiresIn?.(key)).toBeUndefined();
  });
});
