/**
 * Cross-process write guard and tags on Redis: two RedisStore instances on one
 * Redis and one prefix stand for two processes. Loads are gated with
 * controlled promises; the only waits are bounded polls of the Redis server's
 * clock for real windows (tombstoneTtl, tagTtl) to pass.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { MethodCache, type EngineMethod } from '../../../lib/engine/index.js';
import { CacheEvents } from '../../../lib/util/events.js';
import { AsyncTTL, cacheEvents, InvalidateTags, invalidateTags } from '../../../lib/index.js';
import type { StoreKey } from '../../../lib/keys/keys.js';
import { RedisStore, type RedisStoreOptions } from '../../../lib/stores/redis/index.js';
import type { CacheStore } from '../../../lib/stores/contract.js';
import { deferred, type Deferred } from '../../helpers/deferred.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

let raw: Redis;
let prefix: string;
let a: RedisStore;
let b: RedisStore;
const opened: RedisStore[] = [];

async function open(options: Partial<RedisStoreOptions> = {}, p = prefix): Promise<RedisStore> {
  const store = new RedisStore({ url: testRedisUrl(), prefix: p, ...options });
  opened.push(store);
  if (!(await store.ready(5000))) throw new Error('store did not connect');
  return store;
}

beforeEach(async () => {
  raw = rawClient();
  prefix = uniquePrefix('guard');
  a = await open();
  b = await open();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  raw.disconnect();
});

/** A load the test lets start and finish. */
interface Gate {
  readonly started: Deferred<void>;
  readonly result: Deferred<string>;
}

/**
 * A cached method on `store` whose loads the test controls, with a promise of
 * the settlement of each write attempt (the engine writes after returning).
 */
function cachedOn(store: CacheStore, options: { tags?: (args: readonly unknown[]) => readonly string[] } = {}) {
  const gates: Gate[] = [];
  let loads = 0;
  const events = new CacheEvents();
  const settled: (() => void)[] = [];
  events.on('set', () => settled.shift()?.());
  events.on('error', () => settled.shift()?.());
  const method: EngineMethod = {
    where: 'Svc.get',
    id: 'Svc.get',
    original: () => {
      loads++;
      const gate = gates.shift();
      if (gate === undefined) return Promise.resolve('fresh');
      gate.started.resolve();
      return gate.result.promise;
    },
    ttl: 60_000,
    failSafe: undefined,
    shouldCache: undefined,
    tags: options.tags,
    keyOf: (_self, args) => String(args[0]) as StoreKey,
  };
  const engine = new MethodCache(method, store.namespace('Svc.get'), events);
  return {
    engine,
    get loads() {
      return loads;
    },
    /** The next load waits for the returned gate. */
    gate(): Gate {
      const gate = { started: deferred<void>(), result: deferred<string>() };
      gates.push(gate);
      return gate;
    },
    /** Resolves when the next write attempt settled (stored, skipped by the guard, or failed). */
    nextWrite(): Promise<void> {
      return new Promise((resolve) => settled.push(resolve));
    },
    call: (id: string, refresh = false) => engine.call(undefined, [id], refresh ? { refresh: true } : undefined),
  };
}

/** Values stored anywhere under the prefix (any generation), as raw text. */
async function rawValues(): Promise<string[]> {
  const keys = await raw.keys(`${prefix}:{/*`);
  const values: string[] = [];
  for (const key of keys) if ((await raw.type(key)) === 'string') values.push((await raw.get(key)) ?? '');
  return values;
}

/** Polls the Redis server's clock until `ms` have passed since `since` (server microseconds). */
async function serverTimePasses(store: RedisStore, since: number, ms: number): Promise<void> {
  await eventually(async () => (await store.tagClock()) > since + ms * 1000 + 1000, 5000, 20);
}

describe('RedisStore: cross-process write guard', () => {
  it('a load started on A, its key deleted on B, finishing on A stores nothing', async () => {
    const svc = cachedOn(a);
    const gate = svc.gate();
    const call = svc.call('u1');
    await gate.started.promise;
    expect(await b.namespace('Svc.get').delete('u1')).toBe(false); // nothing stored yet: the delete still counts
    const write = svc.nextWrite();
    gate.result.resolve('old');
    expect(await call).toBe('old');
    await write;
    expect(await b.namespace('Svc.get').get('u1')).toBeUndefined();
    expect(await rawValues()).not.toContainEqual(expect.stringContaining('old'));
    // The next load stores as usual.
    const next = svc.nextWrite();
    expect(await svc.call('u1')).toBe('fresh');
    await next;
    expect((await b.namespace('Svc.get').get('u1'))?.value).toBe('fresh');
  });

  it('a load overtaken by clear() on B stores nothing, in the old generation or the new one', async () => {
    const svc = cachedOn(a);
    await a.namespace('Svc.get').set('other', 'kept-before-clear');
    const gate = svc.gate();
    const call = svc.call('u1');
    await gate.started.promise;
    await b.namespace('Svc.get').clear();
    const write = svc.nextWrite();
    gate.result.resolve('old');
    expect(await call).toBe('old');
    await write;
    expect(await a.namespace('Svc.get').get('u1')).toBeUndefined();
    expect(await rawValues()).not.toContainEqual(expect.stringContaining('old'));
  });

  it('deletes of other keys in the namespace do not stop a load from storing (per-key guard)', async () => {
    const svc = cachedOn(a);
    const gate = svc.gate();
    const call = svc.call('u1');
    await gate.started.promise;
    await b.namespace('Svc.get').delete('u2');
    await b.namespace('other').delete('u1');
    const write = svc.nextWrite();
    gate.result.resolve('new');
    await call;
    await write;
    expect((await b.namespace('Svc.get').get('u1'))?.value).toBe('new');
  });

  it('guards refreshes (loadToken without a read) too', async () => {
    const svc = cachedOn(a);
    await a.namespace('Svc.get').set('u1', 'cached');
    const gate = svc.gate();
    const call = svc.call('u1', true);
    await gate.started.promise;
    await b.namespace('Svc.get').delete('u1');
    const write = svc.nextWrite();
    gate.result.resolve('refreshed-before-delete');
    expect(await call).toBe('refreshed-before-delete');
    await write;
    expect(await b.namespace('Svc.get').get('u1')).toBeUndefined();
  });

  it('a delete before the token was taken does not block the write', async () => {
    const ns = a.namespace('n');
    await b.namespace('n').delete('k');
    const { entry, token } = await ns.getForLoad('k');
    expect(entry).toBeUndefined();
    await ns.set('k', 'v', { loadToken: token });
    expect((await b.namespace('n').get('k'))?.value).toBe('v');
    // getForLoad on a hit returns the entry.
    expect((await ns.getForLoad('k')).entry?.value).toBe('v');
  });

  it('setMany with a token skips only the keys deleted since; setIfNotExists refuses them', async () => {
    const ns = a.namespace('n');
    const { token } = await ns.getForLoad('x');
    await b.namespace('n').delete('k2');
    await ns.setMany(
      [
        ['k1', 1],
        ['k2', 2],
        ['k3', 3],
      ],
      { loadToken: token },
    );
    expect((await ns.getMany(['k1', 'k2', 'k3'])).map((e) => e?.value)).toEqual([1, undefined, 3]);
    expect(await ns.setIfNotExists('k2', 2, { loadToken: token })).toBe(false);
    expect(await ns.setIfNotExists('k4', 4, { loadToken: token })).toBe(true);
    expect(await ns.has('k2')).toBe(false);
    // A token does not outlive a clear.
    await b.namespace('n').clear();
    expect(await ns.setIfNotExists('k5', 5, { loadToken: token })).toBe(false);
    await ns.set('k5', 5, { loadToken: token });
    expect(await ns.has('k5')).toBe(false);
  });

  it('rejects a token of another namespace', async () => {
    const { token } = await a.namespace('n1').getForLoad('k');
    await expect(a.namespace('n2').set('k', 1, { loadToken: token })).rejects.toThrow(/option "loadToken"/);
  });

  it('a load longer than tombstoneTtl stores nothing if anything in its namespace was deleted meanwhile', async () => {
    const short = await open({ tombstoneTtl: 200 });
    const ns = short.namespace('n');
    const { token } = await ns.getForLoad('k');
    const quiet = (await ns.getForLoad('q')).token;
    const since = await short.tagClock();
    await ns.delete('unrelated');
    await serverTimePasses(short, since, 200);
    await ns.set('k', 'slow', { loadToken: token });
    expect(await ns.get('k')).toBeUndefined();
    // A token taken after the delete is fine, however long the load.
    const fresh = (await ns.getForLoad('k')).token;
    await ns.set('k', 'later', { loadToken: fresh });
    expect((await ns.get('k'))?.value).toBe('later');
    // `quiet` was taken before the delete of another key and is older than the window: refused (conservative).
    await ns.set('q', 'q', { loadToken: quiet });
    expect(await ns.get('q')).toBeUndefined();
    // The delete log is bounded: deletes older than the window are trimmed, the log expires.
    await ns.delete('another');
    const log = await raw.zrange(`${prefix}:{/n}:d`, '0', '-1');
    expect(log).not.toContain('unrelated');
    expect(log).toContain('another');
    expect(await raw.pttl(`${prefix}:{/n}:d`)).toBeLessThanOrEqual(400);
  });

  it('a token taken while Redis is unavailable makes the write store nothing', async () => {
    const down = new RedisStore({ url: 'redis://127.0.0.1:1', prefix, timeout: 50 });
    opened.push(down);
    const { entry, token } = await down.getForLoad('k');
    expect(entry).toBeUndefined();
    // Still unavailable: the write is rejected like any other; had Redis come back, it would store nothing.
    await expect(down.set('k', 1, { loadToken: token })).rejects.toMatchObject({ code: 'E_REDIS_UNAVAILABLE' });
    await expect(a.set('k', 1, { loadToken: token })).resolves.toBeUndefined();
    expect(await a.get('k')).toBeUndefined();
  });
});

describe('RedisStore: tags', () => {
  it('invalidateTags on B hides the tagged entries A wrote, in every namespace, and nothing else', async () => {
    const users = a.namespace('users');
    const carts = a.namespace('carts');
    await users.set('u1', 'ada', { tags: ['user:1'] });
    await carts.set('u1', ['pen'], { tags: ['user:1', 'carts'], ttl: 60_000, failSafe: 10_000 });
    await users.set('u2', 'bob', { tags: ['user:2'] });
    await users.set('plain', 'p');
    await a.set('root', 'r', { tags: ['user:1'] });
    const other = await open({}, uniquePrefix('other'));
    await other.set('u1', 'other prefix', { tags: ['user:1'] });
    expect((await b.namespace('carts').get('u1'))?.value).toEqual(['pen']);

    await b.invalidateTags(['user:1']);
    expect(await users.get('u1')).toBeUndefined();
    expect(await carts.getFailSafe('u1')).toBeUndefined();
    expect(await carts.has('u1')).toBe(false);
    expect(await a.get('root')).toBeUndefined();
    expect((await users.getMany(['u1', 'u2', 'plain'])).map((e) => e?.value)).toEqual([undefined, 'bob', 'p']);
    expect((await other.get('u1'))?.value).toBe('other prefix');
    // Invalid entries are deleted when read.
    expect(await raw.keys(`${prefix}:{/users}:*:u1`)).toEqual([]);
    // Tagging again works: entries written after the invalidation are live.
    await users.set('u1', 'ada v2', { tags: ['user:1'] });
    expect((await b.namespace('users').get('u1'))?.value).toBe('ada v2');
  });

  it('a tagged load in flight on A when B invalidates its tag is never reachable', async () => {
    const svc = cachedOn(a, { tags: (args) => [`user:${String(args[0])}`] });
    const gate = svc.gate();
    const call = svc.call('u1');
    await gate.started.promise;
    await b.invalidateTags(['user:u1']);
    const write = svc.nextWrite();
    gate.result.resolve('old');
    expect(await call).toBe('old');
    await write;
    expect(await b.namespace('Svc.get').get('u1')).toBeUndefined();
    // A load started after the invalidation is stored and served.
    const next = svc.nextWrite();
    expect(await svc.call('u1')).toBe('fresh');
    await next;
    expect((await b.namespace('Svc.get').get('u1'))?.value).toBe('fresh');
    expect(await svc.call('u1')).toBe('fresh');
    expect(svc.loads).toBe(2);
  });

  it('an invalidation of another tag does not affect a load in flight', async () => {
    const svc = cachedOn(a, { tags: () => ['mine'] });
    const gate = svc.gate();
    const call = svc.call('k');
    await gate.started.promise;
    await b.invalidateTags(['theirs']);
    const write = svc.nextWrite();
    gate.result.resolve('v');
    await call;
    await write;
    expect((await b.namespace('Svc.get').get('k'))?.value).toBe('v');
  });

  it('decorated methods with tags on a RedisStore; global invalidateTags and @InvalidateTags reach Redis', async () => {
    const store = a;
    let loads = 0;
    class Carts {
      @AsyncTTL({ store, ttl: '1m', tags: ([userId]: [string]) => [`cart:${userId}`] })
      async cart(userId: string): Promise<string> {
        loads++;
        return `cart of ${userId} #${loads}`;
      }

      @InvalidateTags(([userId]: [string]) => [`cart:${userId}`])
      async addItem(userId: string): Promise<void> {
        void userId;
      }
    }
    const carts = new Carts();
    /** Resolves when the next write of a decorated method settled. */
    const written = (): Promise<void> =>
      new Promise((resolve) => {
        const off = cacheEvents.on('set', () => {
          off();
          resolve();
        });
      });
    let write = written();
    expect(await carts.cart('u1')).toBe('cart of u1 #1');
    await write;
    expect(await carts.cart('u1')).toBe('cart of u1 #1');
    write = written();
    expect(await carts.cart('u2')).toBe('cart of u2 #2');
    await write;

    await carts.addItem('u1');
    write = written();
    expect(await carts.cart('u1')).toBe('cart of u1 #3');
    await write;
    expect(await carts.cart('u1')).toBe('cart of u1 #3');
    expect(await carts.cart('u2')).toBe('cart of u2 #2');

    // Another process invalidates through its own store.
    await b.invalidateTags(['cart:u1']);
    expect(await carts.cart('u1')).toBe('cart of u1 #4');
    // The process-wide function reaches every RedisStore (and skips closed ones).
    const closed = await open();
    await closed.close();
    await invalidateTags(['cart:u2']);
    expect(await carts.cart('u2')).toBe('cart of u2 #5');
  });

  it('setIfNotExists replaces, and expireIn ignores, an entry invalidated by a tag', async () => {
    const ns = a.namespace('n');
    await ns.set('k', 1, { tags: ['t'] });
    await ns.set('j', 1, { tags: ['t'] });
    await b.invalidateTags(['t']);
    expect(await ns.expireIn('j', 10_000)).toBe(false);
    expect(await ns.setIfNotExists('k', 2)).toBe(true);
    expect((await ns.get('k'))?.value).toBe(2);
  });

  it('tag records are bounded by tagTtl; entries that may have outlived a record become misses, never stale', async () => {
    const store = await open({ tagTtl: 300 });
    const ns = store.namespace('n');
    const tagKey = `${prefix}:{#${prefix}}:tags`;
    await ns.set('old', 'o', { tags: ['x'] });
    await store.invalidateTags(['a']);
    const since = await store.tagClock();
    expect(await raw.zscore(tagKey, 'ta')).not.toBeNull();
    await serverTimePasses(store, since, 300);
    await ns.set('new', 'n', { tags: ['x'] });
    await store.invalidateTags(['b']);
    // The record of 'a' is trimmed; the floor rose past the old entry's stamp.
    expect(await raw.zscore(tagKey, 'ta')).toBeNull();
    expect(await raw.zscore(tagKey, 'tb')).not.toBeNull();
    expect(await ns.get('old')).toBeUndefined();
    expect((await ns.get('new'))?.value).toBe('n');
  });

  it('a lost tag record makes every tagged entry a miss; untagged entries are unaffected', async () => {
    const ns = a.namespace('n');
    await ns.set('tagged', 1, { tags: ['t'] });
    await ns.set('plain', 2);
    await raw.del(`${prefix}:{#${prefix}}:tags`);
    expect(await ns.get('tagged')).toBeUndefined();
    expect((await ns.get('plain'))?.value).toBe(2);
    await ns.set('tagged', 3, { tags: ['t'] });
    expect((await ns.get('tagged'))?.value).toBe(3);
  });

  it('keeps tags with any characters apart, and reads entries tagged with many tags', async () => {
    const ns = a.namespace('n');
    const odd = ['ü', '😀', 'a|b', '"q"', 'a\\b', '\u0000', 't,1'];
    for (const [i, tag] of odd.entries()) await ns.set(`k${i}`, i, { tags: [tag, 'common'] });
    await b.invalidateTags(['😀']);
    const values = (await ns.getMany(odd.map((_, i) => `k${i}`))).map((e) => e?.value);
    expect(values).toEqual([0, undefined, 2, 3, 4, 5, 6]);
    await b.invalidateTags(['a|b', '\u0000']);
    expect((await ns.getMany(odd.map((_, i) => `k${i}`))).map((e) => e?.value)).toEqual([
      0,
      undefined,
      undefined,
      3,
      4,
      undefined,
      6,
    ]);
    const many = Array.from({ length: 50 }, (_, i) => `tag${i}`);
    await ns.set('many', 'm', { tags: many });
    expect((await ns.get('many'))?.value).toBe('m');
    await b.invalidateTags(['tag49']);
    expect(await ns.get('many')).toBeUndefined();
  });

  it('validates tags given to invalidateTags', async () => {
    await expect(a.invalidateTags([''])).rejects.toThrow(TypeError);
    await expect(a.invalidateTags(['a\uDC00'])).rejects.toThrow(/lone surrogate/);
    await expect(a.invalidateTags([])).resolves.toBeUndefined();
  });

  it('validates a tagStamp given to a tagged write: a finite number >= 0 (fractions are floored)', async () => {
    await expect(a.set('k', 1, { tags: ['t'], tagStamp: -1 })).rejects.toThrow(
      /option "tagStamp" must be a finite number >= 0; got -1/,
    );
    await expect(a.set('k', 1, { tags: ['t'], tagStamp: Number.NaN })).rejects.toThrow(/option "tagStamp"/);
    const stamp = await a.tagClock();
    await a.set('k', 1, { tags: ['t'], tagStamp: stamp + 0.5 });
    expect((await a.get('k'))?.value).toBe(1);
  });
});
