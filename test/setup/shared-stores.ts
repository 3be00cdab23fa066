/**
 * Redis and tiered stores for tests that run the same case on both, on the
 * shared private Redis (see redis-env.ts), and the raw clients that inspect
 * them: everything opened is closed by {@link closeOpened} (call it in
 * afterAll).
 */
import { expect } from '@jest/globals';
import type { Redis } from 'ioredis';
import { MemoryStore, type CacheStore } from '../../lib/index.js';
import { TieredStore } from '../../lib/tiered.js';
import { FakeClock } from '../helpers/deferred.js';
import { connectedStore, rawClient, testRedisUrl, uniquePrefix } from './redis-env.js';

/**
 * A store under test and its key prefix in Redis. `dropL1()` lets this
 * process's in-memory copies expire (tiered: its L1 runs on a clock the
 * test moves), so the next read goes to Redis; a no-op for Redis.
 */
export interface OpenedStore {
  readonly store: CacheStore;
  readonly prefix: string;
  readonly dropL1: () => void;
}

const closing: { close(): Promise<void> }[] = [];
const clients: Redis[] = [];

/** Closes `store` with the others in {@link closeOpened}; returns it. */
export function track<S extends { close(): Promise<void> }>(store: S): S {
  closing.push(store);
  return store;
}

/** A RedisStore under `prefix` (a new unique one by default). */
export async function openRedis(label: string, prefix = uniquePrefix(label)): Promise<OpenedStore> {
  const store = await connectedStore({ label, prefix });
  closing.push(store);
  return { store, prefix, dropL1: () => {} };
}

/** A TieredStore under `prefix` (a new unique one by default), its L1 on a clock `dropL1()` moves past every TTL. */
export async function openTiered(label: string, prefix = uniquePrefix(label)): Promise<OpenedStore> {
  const clock = new FakeClock();
  const store = new TieredStore({ redis: { url: testRedisUrl(), prefix }, l1: new MemoryStore({ clock }) });
  closing.push(store);
  expect(await store.ready(5000)).toBe(true);
  return { store, prefix, dropL1: () => clock.advance(24 * 3_600_000) };
}

/** Both openers, for `describe.each`. */
export const SHARED_STORES = [
  ['Redis', openRedis],
  ['tiered', openTiered],
] as const;

/** A raw ioredis client on the shared server. */
export function raw(): Redis {
  const client = rawClient();
  clients.push(client);
  return client;
}

/** Closes every store and client opened here. */
export async function closeOpened(): Promise<void> {
  await Promise.all(closing.splice(0).map((s) => s.close()));
  for (const client of clients.splice(0)) client.disconnect();
}
