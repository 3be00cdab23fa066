/**
 * Waiting for a store to serve calls, as `Cache.connect()` and the NestJS
 * module do before the first calls.
 */
import type { CacheStore } from './contract.js';

/**
 * Whether `store` serves calls: its `ready()` (bounded by its own connect
 * timeout), `true` at once for a store without one (memory, null). Never
 * rejects: a custom store whose `ready()` rejects broke the contract and is
 * taken as not ready.
 *
 * @internal
 * @example
 * ```ts
 * if (!(await storeReady(store))) console.warn('the store does not answer yet: calls miss until it does');
 * ```
 */
export async function storeReady(store: CacheStore): Promise<boolean> {
  if (typeof store.ready !== 'function') return true;
  try {
    return await store.ready();
  } catch {
    return false;
  }
}
