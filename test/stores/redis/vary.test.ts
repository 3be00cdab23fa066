import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, describe, expect, it } from '@jest/globals';
import { AsyncTTL, MemoryStore, TTLInvalidator, VaryError, type CacheStore } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import type { Redis } from 'ioredis';
import { connectedStore, entryKeys, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/**
 * `vary` on a real Redis (a private server) and on a tiered store over it:
 * each context has its own entry in Redis, and an invalidation in one
 * context deletes only that entry. (Two applications sharing one Redis:
 * test/nest-redis/vary.e2e.test.ts.)
 */
const closing: { close(): Promise<void> }[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(closing.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

const tenant = new AsyncLocalStorage<string>();
const inTenant = <T>(id: string, run: () => Promise<T>): Promise<T> => tenant.run(id, run);

/** A service cached in `store`, per tenant. */
function service(store: CacheStore) {
  const loads: string[] = [];
  class Settings {
    @AsyncTTL({ ttl: '5m', store, vary: () => (tenant.getStore() === undefined ? undefined : [tenant.getStore()!]) })
    async get(name: string): Promise<string> {
      loads.push(`${tenant.getStore()}:${name}`);
      return `${tenant.getStore()}:${name}:${loads.length}`;
    }

    @TTLInvalidator(() => Settings.prototype.get)
    async set(_name: string): Promise<void> {}
  }
  return { svc: new Settings(), loads };
}

async function tiered(prefix: string): Promise<TieredStore> {
  const store = new TieredStore({ redis: { url: testRedisUrl(), prefix }, l1: new MemoryStore() });
  closing.push(store);
  expect(await store.ready(5000)).toBe(true);
  return store;
}

describe.each([
  [
    'Redis',
    async (prefix: string): Promise<CacheStore> => {
      const store = await connectedStore({ label: 'vary', prefix });
      closing.push(store);
      return store;
    },
  ],
  ['tiered', tiered],
])('vary on the %s store', (_name, open) => {
  it('one entry per context in Redis; an invalidation in one context deletes only its entry', async () => {
    const prefix = uniquePrefix('vary');
    const redis = rawClient();
    clients.push(redis);
    const { svc, loads } = service(await open(prefix));
    expect(await inTenant('t1', () => svc.get('theme'))).toBe('t1:theme:1');
    expect(await inTenant('t2', () => svc.get('theme'))).toBe('t2:theme:2');
    expect(await entryKeys(redis, prefix)).toHaveLength(2);
    await inTenant('t1', () => svc.set('theme'));
    expect(await entryKeys(redis, prefix)).toHaveLength(1);
    expect(await inTenant('t2', () => svc.get('theme'))).toBe('t2:theme:2'); // kept
    expect(await inTenant('t1', () => svc.get('theme'))).toBe('t1:theme:3'); // reloaded
    expect(loads).toEqual(['t1:theme', 't2:theme', 't1:theme']);
    await expect(svc.get('theme')).rejects.toBeInstanceOf(VaryError);
    expect(loads).toHaveLength(3);
  });
});
