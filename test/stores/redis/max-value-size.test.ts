/**
 * The maxValueSize option: an entry larger than the limit (in UTF-8 bytes, as
 * sent to Redis) is not stored; the write rejects with a ValueTooLargeError
 * that is counted and emitted, and a decorated method still returns its value,
 * uncached. Against the private test Redis.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  AsyncTTL,
  Cache,
  cacheEvents,
  cacheStats,
  compressed,
  DEFAULT_MAX_VALUE_SIZE,
  defaultSerializer,
  NullStore,
  parseByteSize,
  ValueTooLargeError,
  type ByteSize,
  type CacheErrorEvent,
} from '../../../lib/index.js';
import { createStore, RedisStore, RedisStoreError } from '../../../lib/redis.js';
import { connectedStore, eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { typeErrorOf } from '../../helpers/errors.js';

/** The ValueTooLargeError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
async function tooLarge(promise: Promise<unknown>): Promise<ValueTooLargeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ValueTooLargeError);
    return error as ValueTooLargeError;
  }
  throw new Error('expected a ValueTooLargeError, but the write resolved');
}

describe('RedisStore maxValueSize', () => {
  const open: { close(): Promise<void> }[] = [];
  const clients: Redis[] = [];

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    for (const client of clients.splice(0)) client.disconnect();
  });

  async function store(maxValueSize?: number | string): Promise<RedisStore> {
    const created = await connectedStore({
      label: 'max-size',
      ...(maxValueSize === undefined ? {} : { maxValueSize: maxValueSize as ByteSize }),
    });
    open.push(created);
    return created;
  }

  /** Bytes (STRLEN) of `key`'s entry in `created`'s root namespace, read directly from Redis. */
  async function storedBytes(created: RedisStore, prefix: string, key: string): Promise<number> {
    const raw = rawClient();
    clients.push(raw);
    const generation = await raw.get(`${prefix}:{/}:g`);
    expect(generation).not.toBeNull();
    return raw.strlen(`${prefix}:{/}:${generation}:${key}`);
  }

  /** Bytes the envelope header and string quotes add to a string value of an untagged entry. */
  async function overhead(created: RedisStore, prefix: string): Promise<number> {
    await created.set('probe', 'abc');
    return (await storedBytes(created, prefix, 'probe')) - 3;
  }

  it('stores an entry of exactly the limit and rejects one byte more', async () => {
    const prefix = uniquePrefix('boundary');
    const created = await connectedStore({ label: 'unused', prefix, maxValueSize: 100 });
    open.push(created);
    const errors: RedisStoreError[] = [];
    created.on('error', (error) => errors.push(error));
    const extra = await overhead(created, prefix);

    await created.set('fits', 'x'.repeat(100 - extra));
    expect(await storedBytes(created, prefix, 'fits')).toBe(100);
    expect((await created.get('fits'))?.value).toBe('x'.repeat(100 - extra));

    const error = await tooLarge(created.set('over', 'x'.repeat(101 - extra)));
    expect(error.code).toBe('E_VALUE_TOO_LARGE');
    expect(error.key).toBe('over');
    expect(error.size).toBe(101);
    expect(error.limit).toBe(100);
    expect(error.message).toMatch(
      /RedisStore\(".*"\): the value for key "over" was not stored: it takes 101 bytes, over the limit of 100 bytes \(option "maxValueSize"\)\. Raise "maxValueSize"/,
    );
    expect(await created.get('over')).toBeUndefined();

    // Counted and emitted like an unserializable value; the store stays usable.
    expect(created.redisStats()).toMatchObject({ tooLarge: 1, unserializable: 0, errors: 1, available: true });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('E_VALUE_TOO_LARGE');
    expect(errors[0]?.operation).toBe('set');
    expect(errors[0]?.cause).toBe(error);
    await created.set('after', 1);
    expect((await created.get('after'))?.value).toBe(1);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const prefix = uniquePrefix('utf8');
    const created = await connectedStore({ label: 'unused', prefix, maxValueSize: 100 });
    open.push(created);
    const budget = 100 - (await overhead(created, prefix));

    // '€' is 1 UTF-16 unit and 3 bytes; '😀' is 2 units and 4 bytes.
    const euros = '€'.repeat(Math.floor(budget / 3));
    await created.set('euros', euros);
    expect(await storedBytes(created, prefix, 'euros')).toBe(100 - (budget % 3));
    expect((await created.get('euros'))?.value).toBe(euros);

    const more = `${euros}€`;
    expect(more.length).toBeLessThan(budget); // fits by characters...
    const error = await tooLarge(created.set('more', more)); // ...not by bytes
    expect(error.size).toBe(100 - (budget % 3) + 3);

    const emoji = '😀'.repeat(Math.ceil((budget + 1) / 4));
    expect(emoji.length).toBeLessThan(budget);
    expect((await tooLarge(created.set('emoji', emoji))).size).toBe(100 - budget + Buffer.byteLength(emoji));
    expect(await created.getMany(['more', 'emoji'])).toEqual([undefined, undefined]);
    expect(created.redisStats().tooLarge).toBe(2);
  });

  it('measures what is sent: the header, tags and compressed text', async () => {
    const limit = 200;
    const prefix = uniquePrefix('sent');
    const created = await connectedStore({ label: 'unused', prefix, maxValueSize: limit });
    open.push(created);
    const budget = limit - (await overhead(created, prefix));
    const value = 'x'.repeat(budget);
    await created.set('plain', value);
    // The same value with tags no longer fits: the tags are part of the entry.
    const error = await tooLarge(created.set('tagged', value, { tags: ['user:42'] }));
    expect(error.size).toBeGreaterThan(limit + '["user:42"]'.length);

    // A compressing serializer: what counts is the compressed text.
    const packed = await connectedStore({
      label: 'packed',
      serializer: compressed(defaultSerializer, { threshold: 64 }),
      maxValueSize: 1024,
    });
    open.push(packed);
    await packed.set('big', 'ab'.repeat(10_000));
    expect((await packed.get('big'))?.value).toBe('ab'.repeat(10_000));
  });

  it('setMany and setIfNotExists with an oversized entry store nothing, like an unserializable one', async () => {
    const created = await store(50);
    const errors: RedisStoreError[] = [];
    created.on('error', (error) => errors.push(error));
    const error = await tooLarge(
      created.setMany([
        ['a', 1],
        ['b', 'x'.repeat(100)],
        ['c', 3],
      ]),
    );
    expect(error.key).toBe('b');
    expect(await created.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined]);
    expect(await created.setIfNotExists('d', 'x'.repeat(100)).catch((e: unknown) => e)).toBeInstanceOf(
      ValueTooLargeError,
    );
    expect(await created.get('d')).toBeUndefined();
    expect(errors.map((e) => [e.code, e.operation])).toEqual([
      ['E_VALUE_TOO_LARGE', 'setMany'],
      ['E_VALUE_TOO_LARGE', 'setIfNotExists'],
    ]);
    expect(created.redisStats().tooLarge).toBe(2);
    // The other entries go through once the oversized one is left out.
    await created.setMany([
      ['a', 1],
      ['c', 3],
    ]);
    expect((await created.getMany(['a', 'c'])).map((e) => e?.value)).toEqual([1, 3]);
  });

  it('a decorated method returns its value uncached, runs again next call, and reports the failed write', async () => {
    const created = await store('1kb');
    let calls = 0;
    class Reports {
      @AsyncTTL({ ttl: '1m', store: created })
      async build(rows: number): Promise<{ rows: string[] }> {
        calls++;
        return { rows: Array.from({ length: rows }, (_, i) => `row ${i}`) };
      }
    }
    const reports = new Reports();
    const events: CacheErrorEvent[] = [];
    const off = cacheEvents.on('error', (event) => {
      if (event.source.startsWith('Reports.')) events.push(event);
    });
    try {
      const big = await reports.build(500);
      expect(big.rows).toHaveLength(500);
      await eventually(() => cacheStats(Reports.prototype.build).storeErrors === 1);
      expect((await reports.build(500)).rows).toHaveLength(500);
      expect(calls).toBe(2); // not cached: the method ran again
      await eventually(() => cacheStats(Reports.prototype.build).storeErrors === 2);

      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ source: 'Reports.build', operation: 'set', key: 500 });
      const error = events[0]?.error as ValueTooLargeError;
      expect(error).toBeInstanceOf(ValueTooLargeError);
      expect(error.limit).toBe(1024);
      expect(error.message).toMatch(/namespace\("Reports\.build"\): the value for key 500 was not stored/);
      expect(created.redisStats().tooLarge).toBe(2);

      // Small results of the same method are cached as usual.
      await reports.build(2);
      await eventually(async () => (await created.namespace('Reports.build').get(2)) !== undefined);
      await reports.build(2);
      expect(calls).toBe(3);
    } finally {
      off();
    }
  });

  it('Cache: set rejects (like an unserializable value); getOrSet returns the value uncached', async () => {
    const cache = new Cache({ store: await store(64) });
    const huge = 'x'.repeat(100);
    expect((await tooLarge(cache.set('k', huge))).key).toMatch(/k$/);
    expect(await cache.get('k')).toBeUndefined();
    let loads = 0;
    const load = async (): Promise<string> => {
      loads++;
      return huge;
    };
    expect(await cache.getOrSet('k', load)).toBe(huge);
    // The call resolved after its write failed (counted); the next one loads again.
    expect(cache.stats().storeErrors).toBe(1);
    expect(await cache.getOrSet('k', load)).toBe(huge);
    expect(loads).toBe(2);
  });

  it('defaults to 1 MiB', async () => {
    expect(DEFAULT_MAX_VALUE_SIZE).toBe(1024 * 1024);
    const created = await store();
    await created.set('under', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE - 100));
    expect(((await created.get('under'))?.value as string).length).toBe(DEFAULT_MAX_VALUE_SIZE - 100);
    const error = await tooLarge(created.set('over', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE)));
    expect(error.limit).toBe(DEFAULT_MAX_VALUE_SIZE);
    expect(error.size).toBeGreaterThan(DEFAULT_MAX_VALUE_SIZE);
  });

  it('takes bytes or a size with a unit, and rejects anything else naming the option', async () => {
    const url = testRedisUrl();
    const limitOf = async (maxValueSize: number | string): Promise<number> => {
      const created = await store(maxValueSize);
      return (await tooLarge(created.set('k', 'x'.repeat(3 * 1024 * 1024)))).limit;
    };
    expect(await limitOf(4096)).toBe(4096);
    expect(await limitOf('512kb')).toBe(512 * 1024);
    expect(await limitOf('1.5kb')).toBe(1536);
    expect(await limitOf('2 mb')).toBe(2 * 1024 * 1024);
    expect(await limitOf('100b')).toBe(100);

    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '', 'big', '1gb', '1MB', '0.1kb', '0kb']) {
      expect(typeErrorOf(() => new RedisStore({ url, maxValueSize: bad as number }))).toMatch(
        /new RedisStore\(\): option "maxValueSize" must be a positive whole number of bytes .*'512kb', '1mb'; kb = 1024 bytes/,
      );
    }
    expect(typeErrorOf(() => new RedisStore({ url, maxValueSize: '1gb' as never }))).toMatch(/got "1gb"\.$/);
    expect(parseByteSize('1mb', 'here', 'size')).toBe(1_048_576);
  });

  it('is a store URL option: bytes or a size with a unit; options in code win', async () => {
    const { host } = new URL(testRedisUrl());
    const limitOf = async (query: string, overrides = {}): Promise<number> => {
      const created = createStore(`redis://${host}/0?prefix=${uniquePrefix('url-size')}&${query}`, overrides);
      open.push(created);
      expect(await created.ready()).toBe(true);
      return (await tooLarge(created.set('k', 'x'.repeat(3 * 1024 * 1024)))).limit;
    };
    expect(await limitOf('maxValueSize=2048')).toBe(2048);
    expect(await limitOf('maxValueSize=64kb')).toBe(64 * 1024);
    expect(await limitOf('maxValueSize=1kb', { maxValueSize: '2mb' })).toBe(2 * 1024 * 1024);
    for (const bad of ['0', '1.5', '10gb', 'lots']) {
      const url = `redis://${host}/0?maxValueSize=${bad}` as const;
      expect(typeErrorOf(() => createStore(url))).toMatch(
        new RegExp(`^createStore\\(".*"\\): option "maxValueSize" must be a positive whole number of bytes`),
      );
    }
  });
});

describe('NullStore and maxValueSize', () => {
  it('rejects values a default Redis store would not store', async () => {
    const store = new NullStore();
    const error = await tooLarge(store.set('report', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE)));
    expect(error).toMatchObject({ key: 'report', limit: DEFAULT_MAX_VALUE_SIZE, size: DEFAULT_MAX_VALUE_SIZE + 2 });
    expect(error.message).toMatch(/NullStore: .*over the Redis store's default limit of 1048576 bytes/);
    await expect(store.namespace('a').setMany([['k', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE)]])).rejects.toBeInstanceOf(
      ValueTooLargeError,
    );
    await store.set('fits', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE - 100));
    // A validate function replaces the default checks, e.g. to mirror a raised limit.
    await new NullStore('', () => {}).set('big', 'x'.repeat(DEFAULT_MAX_VALUE_SIZE));
  });
});
