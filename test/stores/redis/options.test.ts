import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { connectedStore, eventually, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { typeErrorOf } from '../../helpers/errors.js';

/** The TypeError message thrown by `run`, or fails the test when nothing is thrown. */
describe('RedisStore options', () => {
  const open: { close(): Promise<void> }[] = [];
  const clients: Redis[] = [];

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('needs exactly one way to connect', () => {
    expect(typeErrorOf(() => new RedisStore({}))).toMatch(/exactly one of the options "client".*none was given/);
    const client = new Redis(testRedisUrl(), { lazyConnect: true });
    clients.push(client);
    expect(typeErrorOf(() => new RedisStore({ client, url: testRedisUrl() }))).toMatch(/got client and url/);
    expect(typeErrorOf(() => new RedisStore({ client: {} as Redis }))).toMatch(/"client" must be an ioredis/);
    expect(typeErrorOf(() => new RedisStore(undefined as never))).toMatch(/options must be an object/);
  });

  it('names unknown and malformed options', () => {
    const url = testRedisUrl();
    expect(typeErrorOf(() => new RedisStore({ url, max: 5 } as never))).toMatch(
      /unknown option "max". Known options: client, url, redis, prefix, ttl, timeout, retryInterval, serializer/,
    );
    expect(typeErrorOf(() => new RedisStore({ url, prefix: 'a{b}' }))).toMatch(/"prefix" must be .* without "\{"/);
    expect(typeErrorOf(() => new RedisStore({ url, prefix: '' }))).toMatch(/"prefix"/);
    expect(typeErrorOf(() => new RedisStore({ url, ttl: 0 }))).toMatch(/option "ttl" must be a positive duration/);
    expect(typeErrorOf(() => new RedisStore({ url, timeout: '1 week' as never }))).toMatch(/option "timeout"/);
    expect(typeErrorOf(() => new RedisStore({ url, retryInterval: -1 }))).toMatch(/option "retryInterval"/);
    expect(typeErrorOf(() => new RedisStore({ url, serializer: { format: 'a|b' } as never }))).toMatch(
      /option "serializer"/,
    );
    expect(typeErrorOf(() => new RedisStore({ url: '' }))).toMatch(/option "url"/);
  });

  it('validates namespace options; maxSize is accepted but not applied', async () => {
    const store = await connectedStore({ label: 'ns-options' });
    open.push(store);
    expect(typeErrorOf(() => store.namespace('a', { maxSize: 0 }))).toMatch(/"maxSize" must be a positive integer/);
    expect(typeErrorOf(() => store.namespace('a', { ttl: -1 }))).toMatch(/"ttl"/);
    const limited = store.namespace('lru', { maxSize: 2 });
    await limited.setMany([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect((await limited.getMany([1, 2, 3])).map((e) => e?.value)).toEqual([1, 2, 3]);
    expect(store.namespace('lru')).toBe(limited);
    store.namespace('t', { ttl: 1000 });
    expect(typeErrorOf(() => store.namespace('t', { ttl: 2000 }))).toMatch(
      /namespace\("t"\) asks for ttl 2000 on the shared namespace "t", but .*namespace\("t"\) already set ttl 1000/,
    );
    expect(store.stats()).toEqual({ size: 0, evictions: 0 });
  });

  it('leaves a client it was given open on close, and closes one it created', async () => {
    const client = new Redis(testRedisUrl());
    clients.push(client);
    const borrowed = new RedisStore({ client, prefix: uniquePrefix('borrowed') });
    expect(await borrowed.ready()).toBe(true);
    await borrowed.set('a', 1);
    await borrowed.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    // A closed store skips everything.
    expect(await borrowed.get('a')).toBeUndefined();
    await expect(borrowed.set('a', 2)).rejects.toThrow(/the store is closed/);

    const owned = await connectedStore({ label: 'owned' });
    await owned.close();
    await owned.close(); // idempotent
    expect(await owned.get('a')).toBeUndefined();
    expect(owned.redisStats().available).toBe(false);
  });

  it('shares one listener per client event among many stores on one client', async () => {
    const client = new Redis(testRedisUrl());
    clients.push(client);
    const before = { ready: client.listenerCount('ready'), close: client.listenerCount('close') };
    const stores = Array.from({ length: 15 }, () => new RedisStore({ client, prefix: uniquePrefix('shared') }));
    expect(client.listenerCount('ready')).toBe(before.ready + 1);
    expect(client.listenerCount('close')).toBe(before.close + 1);
    for (const store of stores) expect(await store.ready()).toBe(true);
    await stores[0]?.close();
    await stores[1]?.set('a', 1);
    expect((await stores[1]?.get('a'))?.value).toBe(1);
    for (const store of stores) await store.close();
    expect(client.listenerCount('ready')).toBe(before.ready);
    expect(client.listenerCount('close')).toBe(before.close);
  });

  it('works with a client that returns numbers as strings', async () => {
    const client = new Redis(testRedisUrl(), { stringNumbers: true });
    clients.push(client);
    const store = new RedisStore({ client, prefix: uniquePrefix('string-numbers') });
    open.push(store);
    expect(await store.ready()).toBe(true);
    expect(await store.setIfNotExists('a', 1)).toBe(true);
    expect(await store.setIfNotExists('a', 2)).toBe(false);
    expect(await store.has('a')).toBe(true);
    expect(await store.expireIn('a', 10_000)).toBe(true);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
  });

  it('connects a lazyConnect client it was given', async () => {
    const client = new Redis(testRedisUrl(), { lazyConnect: true });
    clients.push(client);
    const store = new RedisStore({ client, prefix: uniquePrefix('lazy') });
    open.push(store);
    expect(await store.ready()).toBe(true);
    await store.set('a', 1);
    expect((await store.get('a'))?.value).toBe(1);
  });

  it('combines url with ioredis options, and its own fail-open defaults', async () => {
    const store = new RedisStore({
      url: testRedisUrl(),
      prefix: uniquePrefix('combined'),
      redis: { connectionName: 'memokit-options-test' },
    });
    open.push(store);
    expect(await store.ready()).toBe(true);
    const client = new Redis(testRedisUrl());
    clients.push(client);
    await eventually(async () => String(await client.client('LIST')).includes('name=memokit-options-test'));
    expect(RedisStore.clientOptions(100)).toMatchObject({
      enableOfflineQueue: false,
      commandTimeout: 200,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
    });
    const retry = RedisStore.clientOptions().retryStrategy;
    expect(retry?.(1)).toBe(100);
    expect(retry?.(1000)).toBe(1000); // keeps reconnecting, never gives up (null)
    expect(RedisStore.clusterOptions()).toMatchObject({ enableOfflineQueue: false });
  });

  it('uses the prefix "memokit" by default', async () => {
    const store = new RedisStore({ url: testRedisUrl() });
    open.push(store);
    expect(await store.ready()).toBe(true);
    const ns = store.namespace(uniquePrefix('default-prefix'));
    await ns.set('a', 1);
    const client = new Redis(testRedisUrl());
    clients.push(client);
    expect(await client.exists(`memokit:{/${ns.name}}:g`)).toBe(1);
    await client.del(`memokit:{/${ns.name}}:g`);
  });
});
