/**
 * Hostile or broken data in Redis never crashes, hangs or sticks: whatever
 * another program left under the store's keys (another Redis type, bytes that
 * are not a generation, an entry larger than maxValueSize), a decorated
 * method's calls recover to hits by themselves, the store repairs or deletes
 * what it found, and counts it. Against the private test Redis.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { AsyncTTL, cacheStats, defaultSerializer, invalidateCache, type Serializer } from '../../../lib/index.js';
import { RedisStore, type RedisStoreError } from '../../../lib/redis.js';
import { connectedStore, eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

const open: { close(): Promise<void> }[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  for (const client of clients.splice(0)) client.disconnect();
});

function raw(): Redis {
  const client = rawClient();
  clients.push(client);
  return client;
}

async function store(prefix: string, options: { maxValueSize?: number; serializer?: Serializer } = {}) {
  const created = await connectedStore({ label: 'hostile', prefix, ...options });
  open.push(created);
  const errors: RedisStoreError[] = [];
  created.on('error', (error) => errors.push(error));
  return { store: created, errors };
}

/** The Redis keys of a decorated method's namespace `name` in `prefix`. */
function keysOf(prefix: string, name: string) {
  const base = `${prefix}:{/${name}}:`;
  return {
    generation: `${base}g`,
    deleteLog: `${base}d`,
    /** The one entry key of the namespace (after a single stored call). */
    async entry(client: Redis): Promise<string> {
      const generation = await client.get(`${base}g`);
      expect(generation).not.toBeNull();
      const found = await client.keys(`${base}${generation}:*`);
      expect(found).toHaveLength(1);
      return found[0] as string;
    },
  };
}

/** A method `Svc.get` on `created` whose loads are counted and return `value`. */
function service(created: RedisStore, name: string, options: { lease?: { ttl: number; wait: number } } = {}) {
  const state = { loads: 0, value: 'v1' };
  class Svc {
    async get(id: number): Promise<string> {
      state.loads++;
      return `${state.value}#${id}`;
    }
  }
  Object.defineProperty(Svc, 'name', { value: name });
  const descriptor = Object.getOwnPropertyDescriptor(Svc.prototype, 'get') as PropertyDescriptor;
  AsyncTTL({ ttl: '1m', store: created, ...options })(Svc.prototype, 'get', descriptor);
  Object.defineProperty(Svc.prototype, 'get', descriptor);
  const svc = new Svc();
  const namespace = created.namespace(`${name}.get`, { ttl: 60_000 });
  /** Calls get(id) and waits until its value is in Redis (the write lands after the call resolves). */
  const loadAndStore = async (id: number): Promise<string> => {
    const value = await svc.get(id);
    await eventually(async () => (await namespace.get(id))?.value === value);
    return value;
  };
  return { svc, state, namespace, loadAndStore };
}

describe('RedisStore: foreign entries', () => {
  it('an entry key holding a hash: the next call loads and replaces it, later calls are hits, counted as corrupt', async () => {
    const prefix = uniquePrefix('hash-entry');
    const { store: created, errors } = await store(prefix);
    const { svc, state, loadAndStore } = service(created, 'HashEntry');
    const client = raw();
    await loadAndStore(1);
    const key = await keysOf(prefix, 'HashEntry.get').entry(client);
    await client.del(key);
    await client.hset(key, 'owner', 'another program');

    expect(await loadAndStore(1)).toBe('v1#1');
    expect(state.loads).toBe(2);
    expect(await client.type(key)).toBe('string');
    for (let i = 0; i < 3; i++) expect(await svc.get(1)).toBe('v1#1');
    expect(state.loads).toBe(2); // hits
    expect(created.redisStats()).toMatchObject({ corrupt: 1, failures: 0 });
    expect(errors.map((e) => e.code)).toEqual(['E_CORRUPT_ENTRY']);
    expect(errors[0]?.message).toMatch(/the key holds a Redis hash, not an entry this store wrote; .* deleted/);
  });

  it('get, has, getMany, setIfNotExists and expireIn treat an entry key of another type as a miss and delete it', async () => {
    const prefix = uniquePrefix('typed-ops');
    const { store: created } = await store(prefix);
    const client = raw();
    await created.set('k', 1);
    const generation = await client.get(`${prefix}:{/}:g`);
    const key = `${prefix}:{/}:${generation}:k`;
    const plant = async (): Promise<void> => {
      await client.del(key);
      await client.rpush(key, 'a', 'b');
    };
    await plant();
    expect(await created.get('k')).toBeUndefined();
    expect(await client.exists(key)).toBe(0);
    await plant();
    expect(await created.has('k')).toBe(false);
    await plant();
    expect(await created.getMany(['k'])).toEqual([undefined]);
    await plant();
    expect(await created.expireIn('k', 1000)).toBe(false);
    await plant();
    expect(await created.setIfNotExists('k', 2)).toBe(true);
    expect((await created.get('k'))?.value).toBe(2);
    expect(created.redisStats()).toMatchObject({ corrupt: 5, failures: 0 });
  });
});

describe('RedisStore: entries over maxValueSize on reads', () => {
  it('a planted oversized entry is a counted miss, deleted, and never decoded', async () => {
    const prefix = uniquePrefix('oversized');
    const decoded: number[] = [];
    const serializer: Serializer = {
      format: defaultSerializer.format,
      serialize: (value) => defaultSerializer.serialize(value),
      deserialize: (text) => {
        decoded.push(text.length);
        return defaultSerializer.deserialize(text);
      },
    };
    const { store: created, errors } = await store(prefix, { maxValueSize: 1024, serializer });
    const { svc, state, namespace } = service(created, 'Oversized');
    // Another store on the same prefix, with a larger limit, plants a 100 kB BigInt under the method's key.
    const planter = new RedisStore({ url: testRedisUrl(), prefix, maxValueSize: '1mb' });
    open.push(planter);
    expect(await planter.ready()).toBe(true);
    const huge = 10n ** 100_000n;
    const plant = () => planter.namespace('Oversized.get').set(1, huge);
    await plant();
    const client = raw();
    const key = await keysOf(prefix, 'Oversized.get').entry(client);
    expect(await client.strlen(key)).toBeGreaterThan(100_000);

    // The decorated call (one MGET, then the script): loads from the method, never decodes the entry.
    const first: unknown = await svc.get(1);
    expect(first === 'v1#1').toBe(true); // not the planted BigInt (not printed: 100 kB)
    await eventually(async () => (await namespace.get(1))?.value === 'v1#1');
    expect(state.loads).toBe(1);
    expect(await client.strlen(key)).toBeLessThan(1024); // the method's own value replaced it
    expect(await svc.get(1)).toBe('v1#1');
    expect(state.loads).toBe(1);
    expect(created.redisStats().tooLarge).toBe(1);
    expect(errors.map((e) => [e.code, e.operation])).toEqual([['E_VALUE_TOO_LARGE', 'getForLoad']]);
    expect(errors[0]?.message).toMatch(/over the limit of 1024 bytes \(option "maxValueSize"\); it was not decoded/);

    // get() reads it with the READ script: a miss, deleted.
    await plant();
    expect(await namespace.get(1)).toBeUndefined();
    expect(await client.exists(key)).toBe(0);
    expect(created.redisStats().tooLarge).toBe(2);
    expect(Math.max(...decoded)).toBeLessThan(1024);
  });
});

describe('RedisStore: broken generation keys are repaired', () => {
  const plants: Record<string, (client: Redis, key: string) => Promise<unknown>> = {
    'a list': (client, key) => client.rpush(key, 'x'),
    'a hash': (client, key) => client.hset(key, 'x', '1'),
    'bytes that are not a generation': (client, key) => client.set(key, Buffer.from([0xff, 0xfe, 0x3a, 0x7c])),
  };
  for (const [what, plant] of Object.entries(plants)) {
    it(`${what} under the generation key: calls recover to hits without a clear`, async () => {
      const prefix = uniquePrefix('generation');
      const { store: created, errors } = await store(prefix);
      const name = `Generation${Object.keys(plants).indexOf(what)}`;
      const { svc, state, loadAndStore } = service(created, name);
      const client = raw();
      await loadAndStore(1);
      const { generation } = keysOf(prefix, `${name}.get`);
      await client.del(generation);
      await plant(client, generation);

      expect(await loadAndStore(1)).toBe('v1#1');
      expect(state.loads).toBe(2); // the namespace read as empty once
      for (let i = 0; i < 3; i++) expect(await svc.get(1)).toBe('v1#1');
      expect(state.loads).toBe(2);
      expect(await client.type(generation)).toBe('string');
      expect(created.redisStats()).toMatchObject({ repaired: 1, failures: 0 });
      expect(errors.map((e) => e.code)).toEqual(['E_BROKEN_KEY']);
      expect(errors[0]?.message).toMatch(/generation key held something this store never writes/);
    });
  }
});

describe('RedisStore: invalidation does not depend on well-formed auxiliary keys', () => {
  for (const [what, plant] of Object.entries({
    'a string': (client: Redis, key: string) => client.set(key, 'garbage'),
    'a hash': (client: Redis, key: string) => client.hset(key, 'x', '1'),
  })) {
    it(`${what} under the delete log: invalidateCache returns true and the next call loads the new value`, async () => {
      const prefix = uniquePrefix('delete-log');
      const { store: created } = await store(prefix);
      const name = `DeleteLog${what.length}`;
      const { svc, state, loadAndStore } = service(created, name);
      const client = raw();
      await loadAndStore(1);
      const { deleteLog } = keysOf(prefix, `${name}.get`);
      await client.del(deleteLog);
      await plant(client, deleteLog);

      state.value = 'v2';
      expect(await invalidateCache(svc.get, 1)).toBe(true);
      expect(await svc.get(1)).toBe('v2#1');
      expect(await client.type(deleteLog)).toBe('zset');
      expect(created.redisStats()).toMatchObject({ repaired: 1, failures: 0 });
      // And the cache works on: the new value is stored and served.
      await eventually(async () => {
        await svc.get(1);
        return cacheStats(svc.get).hits > 0;
      });
    });
  }

  it('a string under the tag record: misses store again, and invalidateTags works', async () => {
    const prefix = uniquePrefix('tag-record');
    const { store: created } = await store(prefix);
    const { svc, state, loadAndStore } = service(created, 'TagRecord');
    const client = raw();
    await created.set('tagged', 1, { tags: ['t'] });
    const tagKey = `${prefix}:{#${prefix}}:tags`;
    expect(await client.type(tagKey)).toBe('zset');
    await client.del(tagKey);
    await client.set(tagKey, 'garbage');

    await loadAndStore(2); // a miss reads the tag clock: the record is recreated
    await svc.get(2);
    expect(state.loads).toBe(1);
    await expect(created.invalidateTags(['t'])).resolves.toBeUndefined();
    expect(await client.type(tagKey)).toBe('zset');
    expect(await created.get('tagged')).toBeUndefined(); // written before the record was lost: a miss
    await created.set('tagged', 2, { tags: ['t'] });
    expect((await created.get('tagged'))?.value).toBe(2);
    expect(created.redisStats()).toMatchObject({ repaired: 1, failures: 0 });
  });

  for (const [what, plant] of Object.entries({
    'a hash': (client: Redis, key: string) => client.hset(key, 'x', '1'),
    'a string without expiry': (client: Redis, key: string) => client.set(key, 'not a lease'),
  })) {
    it(`${what} under a lease key: the next miss takes the lease at once instead of waiting`, async () => {
      const prefix = uniquePrefix('lease-key');
      const { store: created } = await store(prefix);
      const name = `LeaseKey${what.length}`;
      const { svc, state, loadAndStore } = service(created, name, { lease: { ttl: 5_000, wait: 10_000 } });
      const client = raw();
      await loadAndStore(1);
      const keys = keysOf(prefix, `${name}.get`);
      const entry = await keys.entry(client);
      const generation = (await client.get(keys.generation)) as string;
      const suffix = entry.slice(`${prefix}:{/${name}.get}:${generation}:`.length);
      const leaseKey = `${prefix}:{/${name}.get}:l:${generation}:${suffix}`;
      await plant(client, leaseKey);
      await client.del(entry); // the next call misses

      const started = performance.now();
      expect(await svc.get(1)).toBe('v1#1');
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(state.loads).toBe(2);
      expect(cacheStats(svc.get).leaseWaits).toBe(0);
      expect(created.redisStats()).toMatchObject({ repaired: 1, failures: 0 });
      await eventually(async () => (await client.exists(leaseKey)) === 0); // released after the write
    }, 20_000);
  }
});
