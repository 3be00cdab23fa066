import { afterAll, describe, expect, it } from '@jest/globals';
import { hostname } from 'node:os';
import { Cache } from '../../../lib/index.js';
import { entryKeys, eventually } from '../../setup/redis-env.js';
import { closeOpened, raw, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * explain() on a real (private) Redis and on the tiered store over it: the
 * entry as Redis holds it (freshness left, tags, stale window), the tier a
 * tiered process reads it from, and the last invalidation, including one
 * made by another process (a second store on the same prefix: a Redis
 * store learns of it from Redis's delete log, a tiered one over the bus).
 */
afterAll(closeOpened);

const MINUTE = 60_000;
const THIS_PROCESS = `${hostname().slice(0, 64)}#${process.pid}`;
const BUS_ID = new RegExp(`^${THIS_PROCESS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#[0-9a-f]{8}$`);

describe.each(SHARED_STORES)('explain on the %s store', (name, open) => {
  const tiered = name === 'tiered';

  it('a fresh tagged entry: where it lives, freshness left, tags; none of it changes a thing', async () => {
    const a = await open('explain-fresh');
    const b = await open('explain-fresh-peer', a.prefix);
    const cacheA = new Cache({ store: a.store, prefix: 'users', ttl: '10m', failSafe: '1h' });
    const cacheB = new Cache({ store: b.store, prefix: 'users', ttl: '10m', failSafe: '1h' });
    await cacheA.set('u:1', { id: 1 }, { tags: ['user:1'] });
    const here = await cacheA.explain('u:1');
    expect(here).toMatchObject({
      key: 'u:1',
      store: name === 'Redis' ? 'redis' : 'tiered',
      tier: tiered ? 'l1' : 'redis',
      tags: ['user:1'],
      window: 'fresh',
      lastInvalidation: null,
    });
    expect(here.ttlLeftMs).toBeGreaterThan(10 * MINUTE - 5_000);
    expect(here.ttlLeftMs).toBeLessThanOrEqual(10 * MINUTE);
    expect(here.ageMs).toBeGreaterThanOrEqual(0); // the entry's write time, in its header
    expect(here.ageMs).toBeLessThan(5_000);
    // The other process holds no copy of its own: a tiered one reads it from Redis.
    expect(await cacheB.explain('u:1')).toMatchObject({ tier: tiered ? 'l2' : 'redis', tags: ['user:1'] });
    expect(await cacheA.explain('u:2')).toMatchObject({ tier: null, window: 'absent', tags: [], ttlLeftMs: undefined });
  });

  it('age: from the write time an expiring entry carries; none for an eternal entry or one written without it', async () => {
    const { store, prefix, dropL1 } = await open('explain-age');
    const cache = new Cache({ store, prefix: 'users', ttl: '10m' });
    await cache.set('u:1', 'v1');
    const [key] = await entryKeys(raw(), prefix);
    // Written 5 minutes ago (by this process or another: the header holds the writer's clock).
    const text = (await raw().get(key!))!;
    const fiveMinutesAgo = (Date.now() - 5 * MINUTE).toString(36);
    await raw().set(key!, text.replace(/;w[0-9a-z]+\|/, `;w${fiveMinutesAgo}|`), 'KEEPTTL');
    dropL1();
    const aged = await cache.explain('u:1');
    expect(aged.ageMs).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(aged.ageMs).toBeLessThan(5 * MINUTE + 5_000);
    expect(aged.ttlLeftMs).toBeGreaterThan(9 * MINUTE); // the TTL is Redis's, the age the header's

    // An entry an earlier memokit wrote (no write time) still reads; its age is unknown.
    await raw().set(key!, text.replace(/;w[0-9a-z]+\|/, '|'), 'KEEPTTL');
    dropL1();
    expect(await cache.get('u:1')).toBe('v1');
    expect(await cache.explain('u:1')).toMatchObject({ window: 'fresh', ageMs: undefined });

    const eternal = new Cache({ store, prefix: 'forever' });
    await eternal.set('e', 'kept');
    const [eternalKey] = (await entryKeys(raw(), prefix)).filter((k) => k.includes('forever'));
    expect(await raw().get(eternalKey!)).not.toContain(';w');
    expect(await eternal.explain('e')).toMatchObject({ ttlLeftMs: undefined, ageMs: undefined, window: 'fresh' });
  });

  it('an entry in its stale window: negative freshness left, the fail-safe window', async () => {
    const { store, prefix, dropL1 } = await open('explain-stale');
    const cache = new Cache({ store, prefix: 'users', ttl: '10m', failSafe: '1h' });
    await cache.set('u:1', 'v');
    const [key] = await entryKeys(raw(), prefix);
    await raw().pexpire(key!, 58 * MINUTE); // expired 2 minutes ago, 58 minutes of the window left
    dropL1();
    const explained = await cache.explain('u:1');
    expect(explained).toMatchObject({ window: 'fail-safe', tier: tiered ? 'l2' : 'redis' });
    expect(explained.ttlLeftMs).toBeLessThanOrEqual(-2 * MINUTE);
    expect(explained.ttlLeftMs).toBeGreaterThan(-2 * MINUTE - 5_000);
  });

  it('names the last invalidation: this process’s own, then another process’s', async () => {
    const a = await open('explain-invalidated');
    const b = await open('explain-invalidated-peer', a.prefix);
    const cacheA = new Cache({ store: a.store, prefix: 'users', ttl: '10m' });
    const cacheB = new Cache({ store: b.store, prefix: 'users', ttl: '10m' });
    await cacheA.set('u:0', 'v0');
    await cacheA.delete('u:0');
    const own = (await cacheA.explain('u:0')).lastInvalidation;
    expect(own).toMatchObject({ kind: 'key' });
    expect(own?.from).toMatch(tiered ? BUS_ID : new RegExp(`^${THIS_PROCESS}$`));

    await cacheA.set('u:1', 'v1');
    const before = Date.now();
    await cacheB.delete('u:1');
    // A Redis store reads Redis's delete log (any process: `from` unknown); a tiered one hears the bus.
    await eventually(async () => (await cacheA.explain('u:1')).lastInvalidation !== null);
    const explained = await cacheA.explain('u:1');
    expect(explained.window).toBe('absent');
    expect(explained.lastInvalidation).toMatchObject({ kind: 'key' });
    expect(explained.lastInvalidation?.at).toBeGreaterThanOrEqual(before - 50);
    expect(explained.lastInvalidation?.at).toBeLessThanOrEqual(Date.now() + 50);
    if (tiered) {
      expect(explained.lastInvalidation?.from).toMatch(BUS_ID);
      expect(explained.lastInvalidation?.from).not.toBe(own?.from);
    } else {
      expect(explained.lastInvalidation?.from).toBeUndefined();
    }

    await cacheB.clear();
    if (tiered) {
      await eventually(async () => (await cacheA.explain('u:9')).lastInvalidation?.kind === 'namespace');
      expect((await cacheA.explain('u:9')).lastInvalidation?.from).toMatch(BUS_ID);
    } else {
      // Redis records no time for a clear (a new generation): only the clearing process knows of it.
      expect((await cacheA.explain('u:9')).lastInvalidation).toBeNull();
      expect((await cacheB.explain('u:9')).lastInvalidation).toMatchObject({ kind: 'namespace', from: THIS_PROCESS });
    }
  });
});
