import { afterEach, describe, expect, it } from '@jest/globals';
import { AsyncTTL, Cache, InvalidateTags, type Duration } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { deferred, flush } from '../../helpers/deferred.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/** Two "processes" sharing one Redis: two tiered stores, each with its own bus instance. */
const opened: TieredStore[] = [];
async function pair(options: { l1Ttl?: Duration } = {}): Promise<{ a: TieredStore; b: TieredStore; prefix: string }> {
  const prefix = uniquePrefix('tiered');
  const make = async () => {
    const store = new TieredStore({ redis: { url: testRedisUrl(), prefix }, ...options });
    opened.push(store);
    if (!(await store.ready(5000))) throw new Error('tiered store did not connect');
    return store;
  };
  return { a: await make(), b: await make(), prefix };
}

/** Reads `key` through `cache` until its value sits in that process's L1 (A's own notices arrive asynchronously). */
async function readIntoL1(cache: Cache, key: string): Promise<unknown> {
  await eventually(
    async () => {
      await cache.get(key);
      return cache.store.sync?.get(key) !== undefined;
    },
    1000,
    5,
  );
  return cache.store.sync?.get(key)?.value;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('tiered store: L1 in front of Redis, kept coherent by the bus', () => {
  it('serves L1 hits synchronously and fills L1 from Redis on another process', async () => {
    const { a, b } = await pair();
    const ca = new Cache({ store: a });
    const cb = new Cache({ store: b });
    let loads = 0;
    expect(await ca.getOrSet('k', async () => `v${++loads}`)).toBe('v1');
    expect(await cb.has('k')).toBe(true); // A's write landed in Redis before A's call resolved
    expect(await cb.getOrSet('k', async () => `v${++loads}`)).toBe('v1'); // L2 hit
    expect(loads).toBe(1);
    expect(cb.store.sync?.get('k')?.value).toBe('v1'); // now in B's L1
  });

  it("a delete in one process drops the other's L1 copy (within 100 ms)", async () => {
    const { a, b } = await pair();
    const ca = new Cache({ store: a });
    const cb = new Cache({ store: b });
    await ca.set('k', 'old');
    expect(await readIntoL1(cb, 'k')).toBe('old');
    const started = performance.now();
    await ca.delete('k');
    await eventually(() => cb.store.sync?.get('k') === undefined, 100, 2);
    expect(performance.now() - started).toBeLessThan(100);
    expect(await cb.get('k')).toBeUndefined();
  });

  it("a direct write in one process replaces the other's L1 copy", async () => {
    const { a, b } = await pair();
    const ca = new Cache({ store: a });
    const cb = new Cache({ store: b });
    await ca.set('k', 'v1');
    expect(await readIntoL1(cb, 'k')).toBe('v1');
    await ca.set('k', 'v2');
    await eventually(async () => (await cb.get('k')) === 'v2', 100, 2);
  });

  it('a clear in one process drops every L1 entry of that namespace in the others', async () => {
    const { a, b } = await pair();
    const ca = new Cache({ store: a }).scope('s');
    const cb = new Cache({ store: b }).scope('s');
    const other = new Cache({ store: b }).scope('other');
    await ca.setMany({ x: 1, y: 2 });
    await other.set('z', 3);
    expect(await readIntoL1(cb, 'x')).toBe(1);
    await ca.clear();
    await eventually(() => cb.store.sync?.get('x') === undefined, 100, 2);
    expect(await cb.get('y')).toBeUndefined();
    expect(await other.get('z')).toBe(3);
  });

  it('a load in flight when another process invalidates does not fill L1', async () => {
    const { a, b } = await pair();
    const ca = new Cache({ store: a });
    const cb = new Cache({ store: b });
    const gate = deferred<string>();
    const loading = ca.getOrSet('k', () => gate.promise);
    await flush();
    await cb.delete('k');
    await eventually(() => a.l1.stats().size === 0, 100, 2);
    // wait until A has seen B's message (its namespace counter moved)
    await new Promise((resolve) => setTimeout(resolve, 20));
    gate.resolve('stale');
    expect(await loading).toBe('stale');
    expect(ca.store.sync?.get('k')).toBeUndefined();
  });

  it('a call arriving after another process invalidated does not join the load in flight', async () => {
    const { a, b } = await pair();
    const ca = new Cache<string>({ store: a });
    const cb = new Cache<string>({ store: b });
    const old = deferred<string>();
    let loads = 0;
    const loader = (): Promise<string> => (++loads === 1 ? old.promise : Promise.resolve('fresh'));
    const first = ca.getOrSet('k', loader); // loads the old value, slowly
    await eventually(() => loads === 1, 1000, 2);
    const seen = ca.stats().inflightJoins;
    await cb.delete('k'); // B changed the source: A must not hand the old load to new callers
    await eventually(() => ca.stats().inflightJoins === seen && a.l1.stats().size === 0, 100, 2);
    await new Promise((resolve) => setTimeout(resolve, 20)); // A has received B's message by now
    const second = ca.getOrSet('k', loader);
    expect(await second).toBe('fresh');
    expect(loads).toBe(2);
    old.resolve('old');
    expect(await first).toBe('old'); // its own caller still gets it, but it stores nothing
    expect(await ca.getOrSet('k', loader)).toBe('fresh');
  });

  it('L1 never outlives l1Ttl: after it, reads go back to Redis', async () => {
    const { a, b } = await pair({ l1Ttl: '50ms' });
    const ca = new Cache({ store: a });
    await ca.set('k', 'v');
    expect(ca.store.sync?.get('k')?.value).toBe('v');
    await eventually(() => ca.store.sync?.get('k') === undefined, 1000, 10);
    expect(await ca.get('k')).toBe('v'); // still in Redis
    void b;
  });
});

describe('tiered store: limits stated on a namespace that already exists', () => {
  it('a maxSize stated later bounds L1, and a different one is an error naming both users', async () => {
    const { a } = await pair();
    const first = a.namespace('users');
    const again = a.namespace('users', { maxSize: 2, user: 'UsersService.find' });
    expect(again).toBe(first);
    expect(again.stats().maxSize).toBe(2);
    for (const key of ['k1', 'k2', 'k3']) await again.set(key, key);
    expect(again.stats().size).toBe(2);
    let message = '';
    try {
      a.namespace('users', { maxSize: 3, user: 'UsersService.count' });
    } catch (error) {
      message = error instanceof TypeError ? error.message : String(error);
    }
    expect(message).toContain('maxSize');
    expect(message).toContain('UsersService.find');
    expect(message).toContain('UsersService.count');
    expect(again.stats().maxSize).toBe(2);
  });

  it('a ttl different from the one Redis already uses is refused, not ignored', async () => {
    const { a } = await pair();
    a.namespace('orders', { ttl: 60_000 });
    expect(() => a.namespace('orders', { ttl: 120_000 })).toThrow(/ttl/);
    expect(a.namespace('orders', { ttl: 60_000 })).toBe(a.namespace('orders'));
  });
});

describe('tiered store: missed messages drop L1 instead of serving stale data', () => {
  it('a killed subscriber connection (CLIENT KILL) clears L1 and disables it until resubscribed', async () => {
    const { a, b } = await pair();
    const cb = new Cache({ store: b });
    await new Cache({ store: a }).set('k', 'v1');
    expect(await readIntoL1(cb, 'k')).toBe('v1');
    const raw = rawClient();
    try {
      await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await eventually(() => cb.store.sync?.get('k') === undefined, 1000, 5);
      // a message published while B is disconnected is lost; B must not have kept its copy
      await new Cache({ store: a }).set('k', 'v2');
      expect(await cb.get('k')).toBe('v2');
      expect(await b.ready(5000)).toBe(true);
      expect(await readIntoL1(cb, 'k')).toBe('v2'); // L1 in use again after resubscribing
    } finally {
      raw.disconnect();
    }
  });

  it('a gap in a publisher sequence drops the whole L1', async () => {
    const { b, prefix } = await pair();
    const cb = new Cache({ store: b });
    await cb.set('k', 'v');
    expect(cb.store.sync?.get('k')?.value).toBe('v');
    const raw = rawClient();
    try {
      const channel = `${prefix}:memokit:bus`;
      const send = (seq: number) =>
        raw.publish(
          channel,
          JSON.stringify({ v: 1, from: 'ghost', seq, op: 'delete', ns: '["unrelated"]', key: ['s', 'x'] }),
        );
      await send(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(cb.store.sync?.get('k')?.value).toBe('v'); // an unrelated message leaves k alone
      await send(3); // seq 2 was lost
      await eventually(() => cb.store.sync?.get('k') === undefined, 200, 2);
      expect(await cb.get('k')).toBe('v'); // still served, from Redis
    } finally {
      raw.disconnect();
    }
  });

  it('ignores foreign and malformed messages on the channel', async () => {
    const { b, prefix } = await pair();
    const cb = new Cache({ store: b });
    await cb.set('k', 'v');
    const raw = rawClient();
    try {
      await raw.publish(`${prefix}:memokit:bus`, 'not json');
      await raw.publish(`${prefix}:memokit:bus`, JSON.stringify({ hello: 'world' }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(cb.store.sync?.get('k')?.value).toBe('v');
    } finally {
      raw.disconnect();
    }
  });
});

describe('tiered store: tags across processes', () => {
  it('invalidateTags in one process removes tagged entries for every process (L1 and Redis)', async () => {
    const { a, b } = await pair();
    const ca = new Cache({ store: a });
    const cb = new Cache({ store: b });
    await ca.set('cart:1', ['pen'], { tags: ['user:1'] });
    await ca.set('cart:2', ['ink'], { tags: ['user:2'] });
    expect(await readIntoL1(cb, 'cart:1')).toEqual(['pen']);
    await ca.invalidateTags(['user:1']);
    expect(await ca.get('cart:1')).toBeUndefined();
    await eventually(() => cb.store.sync?.get('cart:1') === undefined, 100, 2);
    expect(await cb.get('cart:1')).toBeUndefined();
    expect(await cb.get('cart:2')).toEqual(['ink']);
  });

  it('a decorated tagged method on a tiered store with @InvalidateTags', async () => {
    const { a } = await pair();
    let version = 1;
    class Carts {
      loads = 0;
      @AsyncTTL({ store: a, ttl: '1m', tags: ([userId]: [string]) => [`cart:${userId}`] })
      async get(userId: string): Promise<string> {
        this.loads++;
        return `${userId}@${version}`;
      }
      @InvalidateTags(([userId]: [string]) => [`cart:${userId}`])
      async add(_userId: string): Promise<void> {
        version++;
      }
    }
    const carts = new Carts();
    expect(await carts.get('u1')).toBe('u1@1');
    await eventually(async () => (await carts.get('u1')) === 'u1@1' && carts.loads === 1, 1000, 5);
    await carts.add('u1');
    expect(await carts.get('u1')).toBe('u1@2');
  });
});
